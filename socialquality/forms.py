"""Every Django form field as an NL Design System (Utrecht) form field, in one place.

``FORM_RENDERER`` points here. The field template (``templates/django/forms/utrecht/field.html``)
gives the label, description, error message and fieldset their Utrecht classes; this renderer
gives each control its class (``utrecht-textbox``, ``utrecht-select``, ``utrecht-checkbox``, …)
as Django renders the widget, so a form needs nothing per template to look like the
municipality's other services. Django itself links help text and errors to the control
(``aria-describedby``) and marks an invalid one (``aria-invalid``).
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
_BY_INPUT_TYPE = {
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom",
    "radio": "utrecht-radio-button utrecht-radio-button--html-input",
    # No Utrecht component for these: the browser's own control, in a Utrecht form field.
    "file": "",
    "hidden": "",
    "color": "",
}
_BY_TEMPLATE = {
    "django/forms/widgets/textarea.html": "utrecht-textarea utrecht-textarea--html-textarea",
    "django/forms/widgets/select.html": "utrecht-select utrecht-select--html-select",
}
CHOICES_TEMPLATE = "django/forms/utrecht/choices.html"
_CHOICE_GROUPS = ("django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html")
_INVALID = {
    "utrecht-textbox": "utrecht-textbox--invalid",
    "utrecht-textarea": "utrecht-textarea--invalid",
    "utrecht-select": "utrecht-select--invalid",
    "utrecht-checkbox": "utrecht-checkbox--invalid",
    "utrecht-radio-button": "utrecht-radio-button--invalid",
}


def control_classes(widget: dict) -> str:
    """The Utrecht classes of one rendered control (a widget's or an option's context)."""
    template = widget.get("template_name", "")
    if template in _BY_TEMPLATE:
        classes = _BY_TEMPLATE[template]
    elif "type" in widget:
        classes = _BY_INPUT_TYPE.get(widget["type"], TEXTBOX)
        if widget["type"] == "number":
            classes = f"{TEXTBOX} utrecht-textbox--numeric"
    else:
        return ""
    attrs = widget.get("attrs") or {}
    if classes and attrs.get("aria-invalid") == "true":
        classes = f"{classes} {_INVALID[classes.split()[0]]}"
    return classes


def _add_classes(widget: dict) -> None:
    classes = control_classes(widget)
    if classes:
        attrs = widget.setdefault("attrs", {})
        own = attrs.get("class", "")
        if "utrecht-" not in own:
            attrs["class"] = f"{classes} {own}".strip()


class UtrechtFormRenderer(TemplatesSetting):
    """Django's form templates (overridable in ``templates/django/forms/``), with a Utrecht
    field template and Utrecht classes on every control."""

    form_template_name = "django/forms/utrecht/form.html"
    field_template_name = "django/forms/utrecht/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict) and template_name.startswith("django/forms/widgets/"):
            if template_name in _CHOICE_GROUPS:
                # Radio buttons or checkboxes of a choice: each option is a control (a Utrecht
                # form field of its own), the element around them is not.
                for _group, options, _index in widget.get("optgroups") or ():
                    for option in options:
                        _add_classes(option)
                template_name = CHOICES_TEMPLATE
            else:
                _add_classes(widget)
        return super().render(template_name, context, request=request)


class Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that say ``empty_text`` when there is nothing to choose from."""

    def __init__(self, *args, empty_text: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.empty_text = empty_text

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["empty_text"] = self.empty_text
        return context
