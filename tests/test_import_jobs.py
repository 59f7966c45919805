"""The long work of the web import runs in the worker: reading a file for its preview, applying
it and rolling it back, each followed on the same progress page. A worker that dies leaves its
batch and its task row marked as such, never "running" for ever. And the pages that answered
500 (a batch without a user, two confirmations at once) answer as they should.

Here the tasks go to the database queue and the test plays the worker (``import_batch_run``),
so that each step in between can be looked at; the browser test runs the real worker.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from monitoring.models import ImportBatch, IndicatorValue, Region, Role
from monitoring.services.imports import (
    import_apply,
    import_batch_run,
    import_batch_status_refresh,
    import_upload,
)
from monitoring.services.imports.progress import RUN_LOCK
from tests.test_import_services import empty_store  # noqa: F401  (autouse)
from tests.test_import_web import DEN_HAAG_2021, IMMEDIATE, member, upload

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued_tasks(settings, tmp_path):
    """Tasks wait in the database queue until the test runs them, as the worker would."""
    settings.TASKS = QUEUE
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def den_haag(framework):
    return Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")


@pytest.fixture
def admin_client(client, den_haag):
    client.force_login(member(Role.ADMIN, den_haag, username="bram"))
    return client


def tasks_of(name: str, batch: ImportBatch) -> list[DBTaskResult]:
    return [
        task
        for task in DBTaskResult.objects.filter(task_path=f"monitoring.importing.tasks.{name}")
        if task.args_kwargs["args"] == [batch.pk]
    ]


def applied_from_the_command_line(den_haag) -> ImportBatch:
    """What ``manage.py import_data`` and the demo leave: an applied batch without a user."""
    result = import_apply(
        data=DEN_HAAG_2021.read_bytes(),
        filename=DEN_HAAG_2021.name,
        municipality=den_haag,
        recompute_scores=False,
    )
    assert result.batch.user is None
    return result.batch


# --- Preview in the worker ---------------------------------------------------------------------


def test_an_upload_is_read_in_the_worker_and_the_progress_page_leads_to_its_preview(
    admin_client, den_haag, queued_tasks
):
    response = upload(admin_client, DEN_HAAG_2021, municipality=den_haag.pk)
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("importing:preview", args=[batch.pk])
    assert (batch.status, batch.job) == (ImportBatch.Status.QUEUED, ImportBatch.Job.PREVIEW)
    assert len(tasks_of("import_batch_preview", batch)) == 1
    assert batch.task_id and not IndicatorValue.objects.exists()

    # Until the worker has read it, the preview page is the progress page.
    response = admin_client.get(reverse("importing:preview", args=[batch.pk]))
    assert response["Location"] == reverse("importing:progress", args=[batch.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "Bezig met lezen en vergelijken" in page and 'hx-trigger="every 1s"' in page

    assert import_batch_run(batch_id=batch.pk) == ImportBatch.Status.PREVIEWED
    response = admin_client.get(
        reverse("importing:progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == reverse("importing:preview", args=[batch.pk])
    page = admin_client.get(response["HX-Redirect"]).content.decode()
    assert "2.067 nieuwe waarden" in page
    assert not IndicatorValue.objects.exists()  # a preview writes nothing


def test_a_file_found_unreadable_in_the_worker_fails_with_the_dutch_reason_and_is_not_kept(
    admin_client, den_haag, immediate_tasks, settings
):
    # Text, so the request lets it through; only reading it all shows it has no region codes.
    response = admin_client.post(
        reverse("importing:upload"),
        {
            "file": _upload_file("zonder-codes.csv", b"naam;inwoners\nCentrum;100\nNoord;200\n"),
            "file_format": "auto",
            "municipality": den_haag.pk,
        },
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.status == ImportBatch.Status.FAILED and batch.stored_file == ""
    assert not any((Path(settings.MEDIA_ROOT) / "imports").iterdir())
    page = admin_client.get(response["Location"], follow=True).content.decode()
    assert "Geen kolom met regiocodes gevonden" in page
    history = admin_client.get(reverse("importing:history")).content.decode()
    assert "zonder-codes.csv" not in history  # an upload that never became an import


def _upload_file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- Rollback in the worker --------------------------------------------------------------------


def test_a_rollback_runs_in_the_worker_and_the_history_says_once_what_it_restored(
    admin_client, den_haag, queued_tasks
):
    batch = applied_from_the_command_line(den_haag)
    response = admin_client.post(reverse("importing:rollback", args=[batch.pk]))
    assert response["Location"] == reverse("importing:progress", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.job) == (ImportBatch.Status.QUEUED, ImportBatch.Job.ROLLBACK)
    assert len(tasks_of("import_batch_rollback", batch)) == 1
    assert IndicatorValue.objects.filter(batch=batch).count() == 2067  # nothing undone yet
    page = admin_client.get(response["Location"]).content.decode()
    assert "Bezig met terugdraaien" in page

    assert import_batch_run(batch_id=batch.pk) == ImportBatch.Status.ROLLED_BACK
    assert not IndicatorValue.objects.exists()
    response = admin_client.get(reverse("importing:progress", args=[batch.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("importing:history")
    assert "Teruggedraaid: 2.067 waarden hersteld" in response.content.decode()
    again = admin_client.get(reverse("importing:progress", args=[batch.pk]), follow=True)
    assert "Teruggedraaid: 2.067 waarden hersteld" not in again.content.decode()


def test_a_rollback_refused_in_the_worker_leaves_the_import_applied_and_says_why(
    admin_client, den_haag, queued_tasks
):
    batch = applied_from_the_command_line(den_haag)
    # CBS revises one figure; the revised file is imported after the first.
    revised = DEN_HAAG_2021.read_bytes().replace(b'"  548320"', b'"  548321"', 1)
    later = import_apply(
        data=revised, filename="kwb2021_den_haag_herzien.csv", municipality=den_haag
    ).batch
    admin_client.post(reverse("importing:rollback", args=[batch.pk]))
    assert import_batch_run(batch_id=batch.pk) == "geweigerd"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.rolled_back_by is None
    assert IndicatorValue.objects.filter(batch=batch).count() == 2066
    page = admin_client.get(reverse("importing:progress", args=[batch.pk]), follow=True)
    assert "kan niet worden teruggedraaid" in page.content.decode()
    assert f"import #{later.pk}" in page.content.decode()


def test_a_second_rollback_request_gets_a_dutch_message_not_a_second_rollback(
    admin_client, den_haag, queued_tasks
):
    batch = applied_from_the_command_line(den_haag)
    admin_client.post(reverse("importing:rollback", args=[batch.pk]))
    response = admin_client.post(reverse("importing:rollback", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "kan niet worden teruggedraaid: de status is" in page and "In de wachtrij" in page
    assert len(tasks_of("import_batch_rollback", batch)) == 1


# --- A worker that dies ------------------------------------------------------------------------


def claimed_by_a_worker_that_died(batch: ImportBatch, *, minutes_ago: int = 0) -> DBTaskResult:
    """The batch's task row as django-tasks leaves it when its worker is killed: running."""
    from monitoring.importing.tasks import import_batch_apply

    result = import_batch_apply.enqueue(batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    batch.refresh_from_db()
    return DBTaskResult.objects.get(pk=result.id)


def test_a_preview_whose_worker_died_fails_and_so_does_its_task_row(den_haag, queued_tasks):
    batch = import_upload(
        data=DEN_HAAG_2021.read_bytes(), filename=DEN_HAAG_2021.name, municipality=den_haag
    )
    task = claimed_by_a_worker_that_died(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    batch = import_batch_status_refresh(batch=ImportBatch.objects.get(pk=batch.pk))
    assert batch.status == ImportBatch.Status.FAILED
    assert "er is niets ingelezen" in batch.message.lower() and batch.stored_file == ""
    task.refresh_from_db()
    assert task.status == "FAILED" and task.finished_at is not None


def test_a_rollback_whose_worker_died_leaves_the_import_applied(den_haag, queued_tasks):
    batch = applied_from_the_command_line(den_haag)
    task = claimed_by_a_worker_that_died(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.RUNNING, job=ImportBatch.Job.ROLLBACK
    )
    batch = import_batch_status_refresh(batch=ImportBatch.objects.get(pk=batch.pk))
    assert batch.status == ImportBatch.Status.APPLIED
    assert "onderbroken" in batch.job_outcome and "niets veranderd" in batch.job_outcome
    assert IndicatorValue.objects.filter(batch=batch).count() == 2067
    task.refresh_from_db()
    assert task.status == "FAILED"


def test_a_task_claimed_long_ago_by_a_worker_that_died_before_starting_fails(
    den_haag, queued_tasks
):
    batch = import_upload(
        data=DEN_HAAG_2021.read_bytes(), filename=DEN_HAAG_2021.name, municipality=den_haag
    )
    task = claimed_by_a_worker_that_died(batch, minutes_ago=10)
    batch = import_batch_status_refresh(batch=batch)
    assert batch.status == ImportBatch.Status.FAILED
    task.refresh_from_db()
    assert task.status == "FAILED"


def test_a_slow_worker_is_not_taken_for_a_dead_one(den_haag, queued_tasks):
    batch = applied_from_the_command_line(den_haag)
    task = claimed_by_a_worker_that_died(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    worker = connections.create_connection("default")  # the worker's own session holds the lock
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, batch.pk])
        batch = import_batch_status_refresh(batch=ImportBatch.objects.get(pk=batch.pk))
        assert batch.status == ImportBatch.Status.RUNNING
        task.refresh_from_db()
        assert task.status == "RUNNING"
    finally:
        worker.close()


def test_the_history_shows_a_dead_workers_import_as_failed(admin_client, den_haag, queued_tasks):
    batch = ImportBatch.objects.create(
        file_name="kwb.csv",
        sha256="x",
        municipality=den_haag,
        status=ImportBatch.Status.RUNNING,
        job=ImportBatch.Job.APPLY,
    )
    history = admin_client.get(reverse("importing:history")).content.decode()
    assert "Mislukt" in history
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


# --- Defects that gave a 500 -------------------------------------------------------------------


def test_the_result_and_progress_of_an_import_without_a_user_answer_without_error(
    admin_client, den_haag
):
    batch = applied_from_the_command_line(den_haag)
    result = admin_client.get(reverse("importing:result", args=[batch.pk]))
    assert result.status_code == 200
    assert "opdrachtregel of demo" in result.content.decode()
    progress = admin_client.get(reverse("importing:progress", args=[batch.pk]))
    assert progress.status_code == 302
    assert progress["Location"] == reverse("importing:result", args=[batch.pk])


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_one_preview_at_the_same_moment_apply_it_once(den_haag, queued_tasks):
    user = member(Role.ADMIN, den_haag, username="bram")
    for _round in range(4):
        batch = import_upload(
            data=DEN_HAAG_2021.read_bytes(), filename=DEN_HAAG_2021.name, municipality=den_haag
        )
        import_batch_run(batch_id=batch.pk)
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(user)
        answers = confirm_at_the_same_moment(clients, reverse("importing:preview", args=[batch.pk]))
        progress = reverse("importing:progress", args=[batch.pk])
        assert answers == [(302, progress), (302, progress)]
        batch.refresh_from_db()
        assert (batch.status, batch.job) == (ImportBatch.Status.QUEUED, ImportBatch.Job.APPLY)
        assert len(tasks_of("import_batch_apply", batch)) == 1


def confirm_at_the_same_moment(clients: list[Client], url: str) -> list[object]:
    """POST the confirmation from each client in its own thread, all released at once."""
    start = threading.Barrier(len(clients))
    answers: list[object] = []

    def confirm(client: Client) -> None:
        try:
            start.wait()
            response = client.post(url, {})
            answers.append((response.status_code, response.get("Location")))
        except Exception as error:  # what used to be a 500
            answers.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
