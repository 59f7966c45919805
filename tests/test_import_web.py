"""The web import: only administrators; upload, preview, confirm, progress, result, history,
rollback. Tasks run with the immediate backend here (the browser test uses the real worker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from monitoring.models import ImportBatch, IndicatorValue, Membership, Region, Role
from monitoring.services.imports import import_batch_status_refresh
from tests.test_import_services import empty_store  # noqa: F401  (autouse)

DATA = Path(__file__).parent / "data" / "cbs_kwb"
DEN_HAAG_2021 = DATA / "kwb_den_haag_2019_2020_2021" / "kwb2021_den_haag_odata_22cols.csv"
AMSTERDAM_2021 = DATA / "kwb_amsterdam_2017_2019_2021" / "kwb2021_amsterdam_odata_22cols.csv"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def den_haag(framework):
    return Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")


def member(role: str, municipality: Region, *, username: str):
    user = get_user_model().objects.create_user(username, password="geheim-wachtwoord-1")
    Membership.objects.create(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def admin_client(client, den_haag):
    client.force_login(member(Role.ADMIN, den_haag, username="bram"))
    return client


def upload(client, path: Path, **fields):
    file = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    data = {"file": file, "period": "", "file_format": "auto", **fields}
    return client.post(reverse("importing:upload"), data)


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("importing:upload"))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


@pytest.mark.parametrize("role", [Role.POLICY_OFFICER, Role.SOCIAL_WORKER])
def test_users_who_are_not_administrators_get_a_dutch_403(client, den_haag, role):
    client.force_login(member(role, den_haag, username="iemand"))
    for name in ("importing:upload", "importing:history"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "Alleen functioneel beheerders" in response.content.decode()


def test_the_whole_web_import_from_upload_to_rollback(admin_client, den_haag, immediate_tasks):
    response = upload(admin_client, DEN_HAAG_2021, municipality=den_haag.pk)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importing:preview", args=[batch.pk])
    assert batch.status == ImportBatch.Status.PREVIEWED and not IndicatorValue.objects.exists()

    page = admin_client.get(response["Location"]).content.decode()
    assert "2.067 nieuwe waarden" in page
    assert "kolommen niet gebruikt" in page

    response = admin_client.post(reverse("importing:preview", args=[batch.pk]), {})
    assert response["Location"] == reverse("importing:progress", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.task_id
    assert batch.values_new == 2067 and batch.progress == 100
    assert IndicatorValue.objects.filter(batch=batch).count() == 2067

    # Progress of a finished import leads to its result (htmx: a client-side redirect).
    response = admin_client.get(
        reverse("importing:progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == reverse("importing:result", args=[batch.pk])
    page = admin_client.get(reverse("importing:result", args=[batch.pk])).content.decode()
    assert "Ingelezen: 2.067 nieuwe waarden" in page

    history = admin_client.get(reverse("importing:history")).content.decode()
    assert DEN_HAAG_2021.name in history and "Terugdraaien" in history

    confirm = admin_client.get(reverse("importing:rollback", args=[batch.pk])).content.decode()
    assert "terugdraaien?" in confirm
    response = admin_client.post(reverse("importing:rollback", args=[batch.pk]), follow=True)
    assert "Teruggedraaid: 2.067 waarden hersteld" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert Region.objects.filter(code="GM0518").exists()  # it was there before the import


def test_rejected_cells_must_be_skipped_explicitly_before_the_import_starts(
    admin_client, den_haag, immediate_tasks
):
    # Den Haag's 2021 file with one Amsterdam ward appended (same columns).
    amsterdam_ward = AMSTERDAM_2021.read_bytes().splitlines()[2]
    mixed = DEN_HAAG_2021.read_bytes().rstrip(b"\n") + b"\n" + amsterdam_ward + b"\n"
    file = SimpleUploadedFile("kwb2021_gemengd.csv", mixed)
    admin_client.post(
        reverse("importing:upload"),
        {"file": file, "file_format": "auto", "municipality": den_haag.pk},
    )
    batch = ImportBatch.objects.get()
    page = admin_client.get(reverse("importing:preview", args=[batch.pk])).content.decode()
    assert "hoort niet bij" in page and "afgewezen-cellen" in page
    response = admin_client.post(reverse("importing:preview", args=[batch.pk]), {})
    assert response.status_code == 200
    assert "Kies ervoor ze over te slaan" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert not IndicatorValue.objects.exists()
    admin_client.post(reverse("importing:preview", args=[batch.pk]), {"skip_rejected": "on"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.cells_rejected == 1
    assert batch.values_new == 2067


def test_a_broken_upload_shows_the_dutch_message_and_keeps_nothing(
    admin_client, den_haag, immediate_tasks
):
    file = SimpleUploadedFile("kwb.csv", b"<html><body>Niet gevonden</body></html>")
    data = {"file": file, "file_format": "auto", "municipality": den_haag.pk}
    response = admin_client.post(reverse("importing:upload"), data)
    assert response.status_code == 200
    assert "HTML-pagina" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(admin_client, settings, immediate_tasks):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    file = SimpleUploadedFile("groot.csv", b"x" * (1024 * 1024 + 1))
    response = admin_client.post(reverse("importing:upload"), {"file": file, "file_format": "auto"})
    assert "de grens is 1 MB" in response.content.decode()


def test_an_administrator_only_sees_imports_of_their_own_municipality(admin_client, den_haag):
    other = Region.objects.create(code="GM0363", name="Amsterdam", level="gemeente")
    theirs = ImportBatch.objects.create(file_name="a.csv", sha256="x", municipality=other)
    response = admin_client.get(reverse("importing:result", args=[theirs.pk]))
    assert response.status_code == 404


def test_the_progress_page_polls_a_fragment_while_the_import_runs(admin_client, den_haag):
    batch = ImportBatch.objects.create(
        file_name="kwb.csv",
        sha256="x",
        municipality=den_haag,
        status=ImportBatch.Status.QUEUED,
        progress=40,
        phase="Waarden laden",
        rows_done=400,
        rows_total=1000,
    )
    page = admin_client.get(reverse("importing:progress", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "htmx-2.min.js" in page
    fragment = admin_client.get(
        reverse("importing:progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert "40%" in fragment and "400 van 1.000 waarden" in fragment


def test_a_running_import_whose_worker_died_shows_as_failed(den_haag):
    # Marked running, but no worker holds its lock: the process that ran it is gone.
    batch = ImportBatch.objects.create(
        file_name="kwb.csv",
        sha256="x",
        status=ImportBatch.Status.RUNNING,
        started_at=timezone.now(),
    )
    batch = import_batch_status_refresh(batch=batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert "er is niets ingelezen" in batch.message.lower()


def test_pruning_forgets_old_unconfirmed_previews_and_the_files_of_finished_imports(
    admin_client, den_haag, immediate_tasks, settings
):
    import datetime as dt
    import os

    from django.core.management import call_command

    from monitoring.services import imports_prune

    upload(admin_client, DEN_HAAG_2021, municipality=den_haag.pk)
    applied = ImportBatch.objects.get()
    admin_client.post(reverse("importing:preview", args=[applied.pk]), {})
    applied.refresh_from_db()
    assert applied.status == ImportBatch.Status.APPLIED
    den_haag_2019 = DEN_HAAG_2021.parent / "kwb2019_84583NED_den_haag_odata_full.csv"
    upload(admin_client, den_haag_2019, municipality=den_haag.pk)
    preview = ImportBatch.objects.get(status=ImportBatch.Status.PREVIEWED)
    orphan = Path(settings.MEDIA_ROOT) / "imports" / "halfweg-geschreven.csv"
    orphan.write_bytes(b"x")
    fresh = Path(settings.MEDIA_ROOT) / "imports" / "net-geupload.csv"
    fresh.write_bytes(b"y")
    files = {b.pk: Path(settings.MEDIA_ROOT) / b.stored_file for b in (applied, preview)}
    month_ago = timezone.now() - dt.timedelta(days=31)
    ImportBatch.objects.update(created_at=month_ago)
    os.utime(orphan, (month_ago.timestamp(), month_ago.timestamp()))

    counted = imports_prune(older_than=dt.timedelta(days=30), dry_run=True)
    assert (counted.previews_deleted, counted.files_deleted) == (1, 3)
    assert all(path.exists() for path in files.values()) and orphan.exists()

    call_command("prune_imports", "--dagen", "30")
    assert not ImportBatch.objects.filter(pk=preview.pk).exists()
    applied.refresh_from_db()
    assert applied.stored_file == "" and applied.status == ImportBatch.Status.APPLIED
    assert IndicatorValue.objects.filter(batch=applied).exists()
    assert not any(path.exists() for path in files.values()) and not orphan.exists()
    assert fresh.exists()


def test_pruning_refuses_to_touch_uploads_of_today(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="minstens 1"):
        call_command("prune_imports", "--dagen", "0")


# --- The upload page's column guide and templates ---------------------------------------------


def test_the_upload_page_lists_accepted_column_names_and_templates(
    admin_client, den_haag, django_assert_num_queries
):
    with django_assert_num_queries(7):
        page = admin_client.get(reverse("importing:upload")).content.decode()
    assert 'id="kolomnamen-tabel"' in page
    # Name, code and each alias of an indicator, from the framework.
    assert "Huishoudens met een laag inkomen" in page and "sez_laag_inkomen" in page
    assert "HuishoudensMetEenLaagInkomen" in page and "p_hh_lkk" in page
    # Derived indicators are named as not to be read.
    assert "Aandeel inwoners 65 jaar of ouder (<code>aandeel_65plus</code>)" in page
    for kind in ("breed-csv", "breed-xlsx", "lang-csv", "lang-xlsx"):
        assert reverse("importing:template", args=[kind]) in page
        assert reverse("importing:template", args=[kind]) + "?gemeente=GM0518" in page


@pytest.mark.parametrize("kind", ["breed-csv", "breed-xlsx", "lang-csv", "lang-xlsx"])
def test_every_template_is_headed_so_that_the_import_recognises_it(admin_client, den_haag, kind):
    from monitoring.importing.formats.grid import read_grid

    response = admin_client.get(reverse("importing:template", args=[kind]))
    assert response.status_code == 200
    extension = kind.split("-")[1]
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    header = read_grid(response.content, f"sjabloon.{extension}").rows[0]
    if kind.startswith("breed"):
        assert header[:3] == ["regiocode", "regionaam", "periode"]
        assert "sez_laag_inkomen" in header and "aandeel_65plus" not in header
    else:
        assert header == ["regiocode", "regionaam", "indicator", "periode", "waarde"]


def test_a_filled_in_template_of_the_own_municipality_imports(admin_client, den_haag):
    from monitoring.services import import_preview

    Region.objects.create(
        code="WK051801", name="Oostduinen", level="wijk", parent=den_haag, municipality=den_haag
    )
    url = reverse("importing:template", args=["breed-csv"]) + "?gemeente=GM0518"
    response = admin_client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="GM0518-sjabloon-breed.csv"'
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == ["GM0518", "WK051801"]
    header = lines[0].split(";")
    ward = lines[2].split(";")
    ward[header.index("periode")] = "2023"
    ward[header.index("coh_eenzaam")] = "41,5"
    filled = "\r\n".join([lines[0], lines[1], ";".join(ward)]).encode("utf-8-sig")
    preview = import_preview(data=filled, filename="sjabloon.csv", municipality=den_haag)
    assert preview.columns_unused == [] and preview.rejected_total == 0
    assert preview.counts.new == 1


def test_a_template_with_regions_takes_a_fixed_number_of_queries(
    admin_client, den_haag, django_assert_num_queries
):
    url = reverse("importing:template", args=["lang-xlsx"]) + "?gemeente=GM0518"
    # session, user, memberships, administered municipalities; the municipality, its regions
    # and the indicators
    with django_assert_num_queries(7):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="GM0518-sjabloon-lang.xlsx"'


def test_a_template_with_the_regions_of_another_municipality_is_not_found(admin_client, db):
    Region.objects.create(code="GM0363", name="Amsterdam", level="gemeente")
    url = reverse("importing:template", args=["lang-csv"]) + "?gemeente=GM0363"
    assert admin_client.get(url).status_code == 404
    assert admin_client.get(reverse("importing:template", args=["pdf"])).status_code == 404


# --- The preview's headline on the page ---------------------------------------------------------


def test_the_preview_page_says_when_no_column_was_recognised(
    admin_client, den_haag, immediate_tasks
):
    file = SimpleUploadedFile("enquete.csv", b"regiocode;periode;tevredenheid\nGM0518;2023;7\n")
    response = admin_client.post(
        reverse("importing:upload"),
        {"file": file, "file_format": "wide", "municipality": den_haag.pk},
    )
    assert response.status_code == 302, response.content.decode()
    batch = ImportBatch.objects.get()
    page = admin_client.get(reverse("importing:preview", args=[batch.pk])).content.decode()
    assert 'data-uitkomst="niets-herkend"' in page
    assert "Geen enkele kolom van dit bestand is herkend" in page
    assert "staan er al" not in page and 'id="inlezen"' not in page
    assert reverse("importing:upload") + "#kolomnamen" in page


def test_the_preview_page_says_when_every_row_was_rejected(
    admin_client, den_haag, immediate_tasks, django_assert_num_queries
):
    file = SimpleUploadedFile("enquete.csv", b"regiocode;periode;coh_eenzaam\nWK051899;2023;40\n")
    admin_client.post(
        reverse("importing:upload"),
        {"file": file, "file_format": "wide", "municipality": den_haag.pk},
    )
    batch = ImportBatch.objects.get()
    with django_assert_num_queries(5):
        page = admin_client.get(reverse("importing:preview", args=[batch.pk])).content.decode()
    assert 'data-uitkomst="alles-afgewezen"' in page
    assert "Er wordt niets ingelezen" in page and "1 cel of rij afgewezen" in page
    assert "staan er al" not in page and 'id="inlezen"' not in page
