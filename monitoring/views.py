from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from monitoring import selectors
from monitoring.models import Region


def home(request: HttpRequest) -> HttpResponse:
    """One municipality: straight to it. Several: a list. None: how to get data in."""
    municipalities = selectors.municipalities()
    if len(municipalities) == 1:
        return _municipality_page(request, municipalities[0])
    return render(request, "monitoring/home.html", {"municipalities": municipalities})


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.municipalities(), code=code.upper())
    if code != region.code:
        return redirect("municipality", code=region.code, permanent=True)
    return _municipality_page(request, region)


def _municipality_page(request: HttpRequest, region: Region) -> HttpResponse:
    overview = selectors.municipality_overview(municipality=region)
    return render(request, "monitoring/municipality.html", {"overview": overview})
