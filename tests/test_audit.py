"""The audit trail: every kind of change is recorded with who, when, before and after; the
tables refuse UPDATE and DELETE in the database; beheerders read their own municipality's."""

from __future__ import annotations

import datetime as dt

import pghistory
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from access.models import MunicipalityAccess
from audit.history import SOURCES
from audit.models import AuditEvent
from audit.selectors import TrailFilters, codes_of_regions, names_of_users, trail_rows
from audit.trail import entries, referenced_ids
from initiatives.models import Initiative, InitiativeReach
from monitoring.models import Indicator, Membership, Region, Role, ScoringSettings
from monitoring.services import import_apply, import_rollback
from tests.test_import_services import ROWS, csv_bytes

PASSWORD = "een-lang-wachtwoord-2024"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def den_haag(db):
    return Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")


@pytest.fixture
def amsterdam(db):
    return Region.objects.create(code="GM0363", name="Amsterdam", level="gemeente")


@pytest.fixture
def bea(den_haag):
    user = get_user_model().objects.create_user(username="bea", password=PASSWORD)
    Membership.objects.create(user=user, municipality=den_haag, role=Role.ADMIN)
    return user


def trail_of(municipality, **filters):
    found = trail_rows(municipality_id=municipality.pk, filters=TrailFilters(**filters))
    users, regions = referenced_ids(found.rows)
    return entries(found.rows, users=names_of_users(users), regions=codes_of_regions(regions))


def changes_of(entry):
    return {change.label: (change.before, change.after) for change in entry.changes}


def as_user(user):
    """What the request middleware does for every page: changes carry the user."""
    return pghistory.context(user=user.pk, url="/test/")


# --- One entry for every kind of change ----------------------------------------------------


def test_an_import_and_its_rollback_are_recorded_with_who_and_the_status_before_and_after(
    framework, den_haag, bea
):
    result = import_apply(
        data=csv_bytes(*ROWS), filename="kwb.csv", period="2019", municipality=den_haag, user=bea
    )
    import_rollback(batch=result.batch, user=bea)
    imports = trail_of(den_haag, kind="import")
    rollback = imports[0]
    assert rollback.who == "bea" and rollback.action == "gewijzigd"
    assert rollback.subject == "import kwb.csv"
    assert changes_of(rollback)["status"] == ("Ingelezen", "Teruggedraaid")
    assert changes_of(rollback)["teruggedraaid door"] == ("—", "bea")
    created = imports[-1]
    assert created.action == "aangemaakt" and changes_of(created)["bestand"] == ("", "kwb.csv")


def test_a_changed_weight_is_recorded_with_the_old_and_new_value(den_haag, bea):
    indicator = Indicator.objects.create(code="laag-inkomen", name_nl="Laag inkomen")
    with as_user(bea):
        Indicator.objects.filter(pk=indicator.pk).update(weight=2)
    entry = trail_of(den_haag, kind="indicator")[0]
    assert entry.who == "bea" and entry.subject == "indicator laag-inkomen"
    assert changes_of(entry)["gewicht"] == ("1,0", "2,0")


def test_a_changed_base_year_is_recorded(den_haag, bea):
    with as_user(bea):
        settings_row = ScoringSettings.objects.create(municipality=den_haag, base_period="2019")
        settings_row.base_period = "2021"
        settings_row.save()
    entry = trail_of(den_haag, kind="score")[0]
    assert changes_of(entry)["basisjaar"] == ("2019", "2021") and entry.who == "bea"


def test_roles_given_changed_and_taken_away_are_recorded(den_haag, bea):
    ward = Region.objects.create(
        code="WK051801", name="Wijk 1", level="wijk", municipality=den_haag, parent=den_haag
    )
    sam = get_user_model().objects.create_user(username="sam", password=PASSWORD)
    with as_user(bea):
        membership = Membership.objects.create(
            user=sam, municipality=den_haag, role=Role.POLICY_OFFICER
        )
        membership.role = Role.SOCIAL_WORKER
        membership.save()
        membership.wards.add(ward)
        membership.delete()
    roles = trail_of(den_haag, kind="rol", who=bea.pk)
    # Deleting the role takes its wards with it: both stay on the trail.
    assert [entry.action for entry in roles] == [
        "verwijderd",
        "weggehaald",
        "toegevoegd",
        "gewijzigd",
        "aangemaakt",
    ]
    assert changes_of(roles[3])["rol"] == ("Beleidsmedewerker", "Sociaal werker / buurtcoördinator")
    assert changes_of(roles[2])["regio"] == ("", "Wijk 1 (WK051801)")
    assert roles[4].subject == "rol sam"


def test_users_are_recorded_without_their_password(den_haag, bea):
    with as_user(bea):
        sam = get_user_model().objects.create_user(username="sam", password="geheim-wachtwoord-1")
        Membership.objects.create(user=sam, municipality=den_haag, role=Role.POLICY_OFFICER)
        sam.is_active = False
        sam.set_password("ander-geheim-wachtwoord")
        sam.save()
    users = trail_of(den_haag, kind="gebruiker")
    assert changes_of(users[0]) == {"actief": ("ja", "nee")}
    event_model = apps.get_model("audit", "UserEvent")
    assert "password" not in {f.name for f in event_model._meta.fields}


def test_initiatives_and_their_reach_are_recorded(den_haag, bea):
    with as_user(bea):
        initiative = Initiative.objects.create(municipality=den_haag, name="Buurtkamer")
        initiative.name = "Buurtkamer Oost"
        initiative.save()
        reach = InitiativeReach.objects.create(
            initiative=initiative, period="2024-K1", participants=12
        )
        reach.participants = 15
        reach.save()
    changes = trail_of(den_haag, kind="initiatief")
    assert changes_of(changes[0])["deelnemers"] == ("12", "15")
    assert any(
        changes_of(entry).get("naam") == ("Buurtkamer", "Buurtkamer Oost") for entry in changes
    )


def test_logins_and_failed_logins_are_in_the_municipality_trail(client, den_haag, bea):
    client.post("/inloggen/", {"login": "bea", "password": "fout"})
    client.post("/inloggen/", {"login": "bea", "password": PASSWORD})
    security = trail_of(den_haag, kind="aanmelden")
    assert [entry.action for entry in security] == ["ingelogd", "inloggen mislukt"]
    assert security[1].failed and security[1].subject == "account bea"
    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.username == "bea" and failed.ip_address == "127.0.0.1" and failed.actor == bea
    assert changes_of(security[0])["adres"] == ("", "127.0.0.1")


def test_a_change_made_in_a_request_carries_the_user_of_that_request(client, den_haag, db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    response = client.post(
        "/beheer/monitoring/scoringsettings/add/",
        {"municipality": den_haag.pk, "base_period": "2020"},
    )
    assert response.status_code == 302
    event = apps.get_model("audit", "ScoringSettingsEvent").objects.get()
    assert event.pgh_context["user"] == admin.pk
    assert event.pgh_context["url"] == "/beheer/monitoring/scoringsettings/add/"


def test_access_settings_are_recorded(den_haag, bea):
    with as_user(bea):
        access = MunicipalityAccess.objects.create(municipality=den_haag)
        access.require_mfa_for_admins = True
        access.save()
    entry = trail_of(den_haag, kind="toegang")[0]
    assert changes_of(entry)["tweede factor verplicht voor beheerders"] == ("nee", "ja")


# --- Append-only in the database -----------------------------------------------------------


def audit_tables() -> list[str]:
    return [AuditEvent._meta.db_table, *(source.event_model._meta.db_table for source in SOURCES)]


def refuses(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as error:
        return "alleen worden aangevuld" in str(error)
    return False


@pytest.mark.parametrize("statement", ["UPDATE {table} SET pgh_label = 'x'", "DELETE FROM {table}"])
def test_every_event_table_refuses_update_and_delete_in_plain_sql(den_haag, bea, statement):
    with as_user(bea):
        Indicator.objects.create(code="x", name_nl="X")
        ScoringSettings.objects.create(municipality=den_haag)
    for source in SOURCES:
        table = source.event_model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows = cursor.fetchone()[0]
        if rows:
            assert refuses(statement.format(table=table)), table


def test_the_security_events_refuse_update_and_delete_in_plain_sql(client, bea):
    client.post("/inloggen/", {"login": "bea", "password": "fout"})
    table = AuditEvent._meta.db_table
    assert refuses(f"UPDATE {table} SET username = 'iemand anders'")
    assert refuses(f"DELETE FROM {table}")
    assert AuditEvent.objects.filter(username="bea").count() == 1


def test_the_pgtrigger_ignore_switch_does_not_open_them(client, bea):
    client.post("/inloggen/", {"login": "bea", "password": "fout"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_append_only_%'")
        names = [row[0] for row in cursor.fetchall()]
    assert len(names) == len(audit_tables())
    ignore = "{" + ",".join(names) + "}"
    table = AuditEvent._meta.db_table
    assert refuses(f"SET LOCAL pgtrigger.ignore = '{ignore}'; DELETE FROM {table}")


def test_the_orm_cannot_change_or_delete_an_entry_either(client, bea):
    client.post("/inloggen/", {"login": "bea", "password": "fout"})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(username="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


# --- The trail page ------------------------------------------------------------------------


def test_a_beheerder_reads_the_trail_of_their_municipality(client, den_haag, bea):
    client.force_login(bea)
    response = client.get("/logboek/GM0518/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Logboek van &#x27;s-Gravenhage" in page or "Logboek van 's-Gravenhage" in page
    assert "ingelogd" in page


def test_the_start_page_takes_a_beheerder_to_their_municipality(client, bea):
    client.force_login(bea)
    response = client.get("/logboek/")
    assert response.status_code == 302 and response["Location"] == "/logboek/GM0518/"


def test_another_municipality_gets_404_other_roles_403_and_visitors_the_login(
    client, den_haag, amsterdam, bea
):
    client.force_login(bea)
    assert client.get("/logboek/GM0363/").status_code == 404
    assert client.get("/logboek/GM9999/").status_code == 404
    officer = get_user_model().objects.create_user(username="olga", password=PASSWORD)
    Membership.objects.create(user=officer, municipality=den_haag, role=Role.POLICY_OFFICER)
    client.force_login(officer)
    assert client.get("/logboek/GM0518/").status_code == 403  # their municipality, not their role
    assert client.get("/logboek/").status_code == 403
    client.logout()
    response = client.get("/logboek/GM0518/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_another_municipalitys_changes_stay_out_of_the_trail(client, den_haag, amsterdam, bea):
    with as_user(bea):
        ScoringSettings.objects.create(municipality=amsterdam, base_period="2019")
        Initiative.objects.create(municipality=amsterdam, name="Geheim initiatief")
    client.force_login(bea)
    page = client.get("/logboek/GM0518/?wat=initiatief").content.decode()
    assert "Geheim initiatief" not in page
    assert trail_of(den_haag, kind="score") == []


def test_the_filters_live_in_the_url(client, den_haag, bea):
    with as_user(bea):
        Initiative.objects.create(municipality=den_haag, name="Buurtkamer")
    client.force_login(bea)
    today = dt.date.today().isoformat()
    page = client.get(f"/logboek/GM0518/?wie={bea.pk}&wat=initiatief&van={today}&tot={today}")
    text = page.content.decode()
    assert "Buurtkamer" in text and "1 vermelding." in text
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    text = client.get(f"/logboek/GM0518/?wat=initiatief&tot={yesterday}").content.decode()
    assert "Niets gevonden met deze filters" in text


def test_a_wrong_date_gets_a_dutch_message_and_the_other_filters_still_work(client, bea):
    client.force_login(bea)
    response = client.get("/logboek/GM0518/?van=gisteren&wat=aanmelden")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Vul een datum in als jjjj-mm-dd" in text and "ingelogd" in text
    text = client.get("/logboek/GM0518/?van=2024-12-31&tot=2024-01-01").content.decode()
    assert "De einddatum ligt vóór de begindatum." in text


def test_the_trail_is_paginated(client, den_haag, bea):
    with as_user(bea):
        Initiative.objects.bulk_create(
            Initiative(municipality=den_haag, name=f"Initiatief {n}") for n in range(60)
        )
    client.force_login(bea)
    first = client.get("/logboek/GM0518/?wat=initiatief").content.decode()
    assert "60 vermeldingen, pagina 1 van 2" in first and "pagina=2" in first
    second = client.get("/logboek/GM0518/?wat=initiatief&pagina=2").content.decode()
    assert "pagina 2 van 2" in second and "Initiatief 0" in second


def test_the_trail_page_answers_in_a_fixed_number_of_queries(
    client, den_haag, bea, django_assert_num_queries
):
    with as_user(bea):
        for n in range(5):
            Initiative.objects.create(municipality=den_haag, name=f"Initiatief {n}")
        ScoringSettings.objects.create(municipality=den_haag, base_period="2019")
    client.force_login(bea)
    # session, user, municipality, memberships, people, count, page, names, regions
    with django_assert_num_queries(9):
        assert client.get("/logboek/GM0518/").status_code == 200


def test_an_empty_trail_says_what_will_appear(client, den_haag, bea):
    client.force_login(bea)
    text = client.get("/logboek/GM0518/?wat=import").content.decode()
    assert "Niets gevonden met deze filters" in text


def test_a_site_administrator_reads_every_municipality_on_one_page(client, den_haag, amsterdam):
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    with as_user(root):
        Initiative.objects.create(municipality=amsterdam, name="In Amsterdam")
        Initiative.objects.create(municipality=den_haag, name="In Den Haag")
    client.force_login(root)
    text = client.get("/logboek/?wat=initiatief").content.decode()
    assert "Logboek van alle gemeenten" in text
    assert "In Amsterdam" in text and "In Den Haag" in text
    assert client.get("/logboek/GM0363/").status_code == 200
