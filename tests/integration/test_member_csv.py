"""Members in and out as CSV: the command line, the upload with its preview, the download."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text

from models import AuditEvent, ConsentRecord, Member, MemberAccessNeed, MemberCharacteristic
from tests.worker import follow_job, job_id_of

HEADER = (
    "email,first_name,last_name,date_of_birth,postcode,sex,ethnicity,impairment_type,"
    "consent_contact,consent_selection,consent_statistics,consent_access_needs"
)


def csv_file(tmp_path, *rows: str, header: str = HEADER, name: str = "members.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def member_count(session) -> int:
    session.rollback()  # see what other connections committed
    return session.scalar(select(func.count()).select_from(Member))


def members_by_email(session) -> dict[str, Member]:
    session.rollback()
    return {m.email: m for m in session.scalars(select(Member))}


GOOD_ROWS = (
    "ann@example.org,Ann,Smith,1970-01-31,sw1a1aa,Female,British,Vision;Hearing,yes,yes,yes,no",
    "bob@example.org,Bob,Jones,1985-06-15,M1 1AE,Male,Indian,,yes,no,no,no",
)


# A file that uses every column and the awkward cases: commas, quotes and line breaks inside
# a cell, non-ASCII letters, several answers, a phone number a spreadsheet would read as a
# formula, and members without an email address.
FULL_FILE = (
    "email,first_name,last_name,preferred_name,date_of_birth,phone,address,postcode,"
    "preferred_contact,status,paused_until,joined_via,referred_by,sex,gender_identity,ethnicity,"
    "sexual_orientation,religion,disability,impairment_type,unpaid_carer,support_reason,local_area,"
    "access_needs,access_needs_notes,preferred_times,consent_contact,consent_selection,"
    "consent_statistics,consent_access_needs\n"
    'Zoë@Example.org,Zoë,O\'Brien-Nüñez,Zo,1950-02-28,+44 20 7946 0000,"Flat 2, ""The Maltings""\n'
    '1 High Street",cr26xh,Post,Paused,2030-01-01,partner,"Age UK, Croydon",female,same,'
    '"ASIAN, ASIAN BRITISH OR ASIAN WELSH: INDIAN",bisexual,Hindu,Limited a lot,'
    "Mental health; Vision;mobility,Provides 50 or more hours unpaid care a week,"
    "Physical support,prefer_not_to_say,bsl;Easy_Read,Needs a quiet room,Mornings,yes,yes,yes,yes\n"
    ",Sam,Lee,,,,,,,active,,staff,,,,,,,,,,,,,,,no,no,no,no\n"
    "ed@example.org,Ed,=cmd|' /C calc'!A0,,1999-12-31,,,LS1 4AP,email,active,,self,,Male"
    ",,,,,,,,,,,,"
    ",yes,no,yes,no\n"
)


def test_export_then_import_into_an_empty_register_gives_the_same_bytes(runner, session, tmp_path):
    source = tmp_path / "source.csv"
    source.write_text(FULL_FILE, encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 members from source.csv: 3 added, 0 updated." in result.output

    first = tmp_path / "first.csv"
    assert runner.invoke(args=["members", "export", str(first)]).exit_code == 0
    with session.begin():
        for model in (ConsentRecord, MemberCharacteristic, MemberAccessNeed, Member):
            session.execute(delete(model))
    assert member_count(session) == 0

    result = runner.invoke(args=["members", "import", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second.csv"
    assert runner.invoke(args=["members", "export", str(second)]).exit_code == 0
    assert second.read_bytes() == first.read_bytes()

    exported = first.read_bytes().decode("utf-8")
    lines = exported.split("\n")
    assert b"\r" not in first.read_bytes().replace(b'"\r', b"")
    assert lines[0].startswith("email,first_name,last_name,preferred_name,date_of_birth,")
    assert lines[0].endswith("consent_statistics,consent_access_needs")
    # Normalised on the way in: lower-case email, spaced postcode, codes instead of labels,
    # several answers in the taxonomy's order, access needs as codes.
    assert lines[1].startswith(
        "zoë@example.org,Zoë,O'Brien-Nüñez,Zo,1950-02-28,"
        '\'+44 20 7946 0000,"Flat 2, ""The Maltings""'
    )
    assert (
        ',CR2 6XH,post,paused,2030-01-01,partner,"Age UK, Croydon",Female,Same,Indian,Bisexual,'
        in exported
    )
    assert ",Mobility;Vision;Mental health," in exported
    assert ",easy_read;bsl,Needs a quiet room,Mornings,yes,yes,yes,yes" in exported
    assert "\n,Sam,Lee,,,,,,,active,,staff," in exported
    assert ",Ed,'=cmd|' /C calc'!A0," in exported  # shown as text by a spreadsheet, not run

    members = members_by_email(session)
    assert members["ed@example.org"].last_name == "=cmd|' /C calc'!A0"
    assert members["zoë@example.org"].phone == "+44 20 7946 0000"
    assert members["zoë@example.org"].address == 'Flat 2, "The Maltings"\n1 High Street'


def test_export_to_standard_output(runner, tmp_path):
    runner.invoke(args=["members", "import", str(csv_file(tmp_path, *GOOD_ROWS))])
    result = runner.invoke(args=["members", "export"])
    assert result.exit_code == 0
    assert "ann@example.org,Ann,Smith" in result.stdout
    assert result.stdout.count("\n") == 3
    assert "Exported 2 members." in result.stderr


def test_a_bad_category_and_an_impossible_date_refuse_the_whole_file(runner, session, tmp_path):
    path = csv_file(
        tmp_path,
        GOOD_ROWS[0],
        "cat@example.org,Cat,Brown,1990-03-03,B33 8TH,Female,Martian,,yes,yes,yes,no",
        GOOD_ROWS[1],
        "dan@example.org,Dan,Green,2023-02-30,LS1 4AP,Male,British,,yes,yes,yes,no",
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code != 0
    assert (
        "Row 3, column ethnicity, value 'Martian': 'Martian' is not a category of 'ethnicity'; "
        "valid categories are: Indian, Pakistani" in result.output
    )
    assert (
        "Row 5, column date_of_birth, value '2023-02-30': '2023-02-30' is not a real date; "
        "enter dates as YYYY-MM-DD" in result.output
    )
    assert "Nothing was imported: the file has 2 problems in 2 rows" in result.output
    assert "Row 2" not in result.output and "Row 4" not in result.output
    assert member_count(session) == 0
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
        )
        == 0
    )


def test_every_problem_in_a_row_is_reported(runner, session, tmp_path):
    path = csv_file(
        tmp_path,
        "not-an-email,,Smith,01/02/1970,XYZ,Female;Male,British,Vision;prefer_not_to_say,maybe,yes,yes,no",
    )
    output = runner.invoke(args=["members", "import", str(path)]).output
    for expected in (
        "Row 2, column email, value 'not-an-email': Enter an email address in the correct format",
        "Row 2, column first_name, value '': Enter a first name",
        "Row 2, column date_of_birth, value '01/02/1970': '01/02/1970' is not a real date; "
        "enter dates as YYYY-MM-DD",
        "Row 2, column postcode, value 'XYZ': Enter a real UK postcode",
        "Row 2, column sex, value 'Female;Male': 'sex' takes one answer, not 2",
        "Row 2, column impairment_type, value 'Vision;prefer_not_to_say': "
        "'Prefer not to say' cannot be combined",
        "Row 2, column consent_contact, value 'maybe': "
        "Enter yes or no for consent_contact, not 'maybe'",
    ):
        assert expected in output
    assert member_count(session) == 0


def test_duplicate_emails_within_the_file_are_refused(runner, session, tmp_path):
    path = csv_file(tmp_path, GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0].replace("ann@", "ANN@"))
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code != 0
    assert (
        "Row 4, column email, value 'ann@example.org': "
        "The email address 'ann@example.org' is also on row 2" in result.output
    )
    assert member_count(session) == 0


def test_an_email_already_on_the_register_is_refused_unless_updating(runner, session, tmp_path):
    assert (
        runner.invoke(args=["members", "import", str(csv_file(tmp_path, *GOOD_ROWS))]).exit_code
        == 0
    )
    ann_id = members_by_email(session)["ann@example.org"].id
    changed = csv_file(
        tmp_path,
        "ann@example.org,Annie,Smith-Jones,1970-01-31,SW1A 1AA,Female,Irish,Mobility,yes,no,yes,no",
        "cat@example.org,Cat,Brown,1990-03-03,B33 8TH,Female,Other White,,yes,yes,yes,no",
        name="changed.csv",
    )
    refused = runner.invoke(args=["members", "import", str(changed)])
    assert refused.exit_code != 0
    assert (
        "Row 2, column email, value 'ann@example.org': "
        "A member with this email address is already on the register" in refused.output
    )
    assert member_count(session) == 2

    # Update mode needs every column, so that nothing is blanked by a missing one.
    partial = runner.invoke(args=["members", "import", "--update", str(changed)])
    assert partial.exit_code != 0
    assert (
        "The file has no 'preferred_name' column; update mode needs every column" in partial.output
    )

    full = tmp_path / "full.csv"
    runner.invoke(args=["members", "export", str(full)])
    text = (
        full.read_text(encoding="utf-8")
        .replace("ann@example.org,Ann,Smith,", "ann@example.org,Annie,Smith-Jones,")
        .replace(",British,", ",Irish,")
        .replace(",Vision;Hearing,", ",Mobility,")
    )
    text = re.sub(r"(ann@example.org.*),yes,yes,yes,no\n", r"\1,yes,no,yes,no\n", text)
    text += (
        "cat@example.org,Cat,Brown,,1990-03-03,,,B33 8TH,,active,,staff,,Female,,Other White"
        ",,,,,,,,,,,yes,yes,yes,no\n"
    )
    full.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["members", "import", "--update", str(full)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 members from full.csv: 1 added, 2 updated." in result.output

    members = members_by_email(session)
    ann = members["ann@example.org"]
    assert ann.id == ann_id
    assert (ann.first_name, ann.last_name, ann.consent_selection) == ("Annie", "Smith-Jones", False)
    answers = (
        session.execute(
            select(MemberCharacteristic.category_id).where(MemberCharacteristic.member_id == ann.id)
        )
        .scalars()
        .all()
    )
    from panels.register.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(session)
    codes = sorted(taxonomy.category_by_id(i)[1].code for i in answers)
    assert codes == ["Female", "Irish", "Mobility"]
    # Only the decision that changed is recorded again.
    records = session.execute(
        select(ConsentRecord.purpose, ConsentRecord.given)
        .where(ConsentRecord.member_id == ann.id)
        .order_by(ConsentRecord.id)
    ).all()
    assert len(records) == 5 and tuple(records[-1]) == ("selection", False)
    assert member_count(session) == 3


def test_labels_are_accepted_whatever_their_case(runner, session, tmp_path):
    path = csv_file(
        tmp_path,
        "ann@example.org,Ann,Smith,1970-01-31,SW1A 1AA,FEMALE,"
        '"white: english, welsh, scottish, northern irish or british",'
        "vision;HEARING,Yes,YES,no,No",
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(args=["members", "export"]).stdout
    assert ",Female,,British," in exported
    assert ",Vision;Hearing," in exported
    assert exported.endswith(",yes,yes,no,no\n")


def test_several_answers_only_where_a_question_allows_them(runner, session, tmp_path):
    allowed = csv_file(tmp_path, GOOD_ROWS[0].replace("Vision;Hearing", "Vision; Hearing ;;Memory"))
    assert runner.invoke(args=["members", "import", str(allowed)]).exit_code == 0
    assert ",Vision;Hearing;Memory," in runner.invoke(args=["members", "export"]).stdout

    refused = csv_file(
        tmp_path, GOOD_ROWS[1].replace(",Indian,", ",Indian;British,"), name="two.csv"
    )
    result = runner.invoke(args=["members", "import", str(refused)])
    assert result.exit_code != 0
    assert (
        "Row 2, column ethnicity, value 'Indian;British': 'ethnicity' takes one answer, not 2"
        in result.output
    )


def test_unknown_and_missing_columns_are_named(runner, session, tmp_path):
    path = csv_file(
        tmp_path,
        "ann@example.org,Ann,1970-01-31,SW1A 1AA,blue,yes,yes,yes,no",
        header="email,first_name,date_of_birth,postcode,favourite_colour,consent_contact,"
        "consent_selection,consent_statistics,consent_access_needs",
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code != 0
    assert (
        "Row 1, column favourite_colour, value 'favourite_colour': 'favourite_colour' is not a "
        "column the register imports; allowed columns are: email, first_name, last_name,"
        in result.output
    )
    assert (
        "Row 1, column last_name, value '': The file has no 'last_name' column; these columns "
        "are required: email, first_name, last_name, date_of_birth, postcode," in result.output
    )
    assert member_count(session) == 0


def test_derived_dimensions_are_not_columns(runner, tmp_path):
    path = csv_file(tmp_path, GOOD_ROWS[0] + ",25-34", header=HEADER + ",age_band")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code != 0
    assert "'age_band' is not a column the register imports" in result.output


def test_a_file_that_is_not_utf8_is_refused(runner, session, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\n" + GOOD_ROWS[0].replace("Ann,", "Zoë,") + "\n").encode("latin-1")
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code != 0
    assert "The file is not UTF-8 text" in result.output
    assert member_count(session) == 0


def test_a_file_with_only_the_header_row_is_refused(runner, tmp_path):
    result = runner.invoke(args=["members", "import", str(csv_file(tmp_path))])
    assert result.exit_code != 0
    assert "Row 2, column , value '': The file has no members" in result.output


@given(st.text())
def test_spreadsheet_formula_escaping_round_trips(value):
    from panels.register.member_csv.format import FORMULA_START, escape_cell, unescape_cell

    assert unescape_cell(escape_cell(value)) == value
    assert not escape_cell(value).startswith(FORMULA_START)


def test_excel_byte_order_mark_and_crlf_line_endings_are_read(runner, session, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + "\r\n".join([HEADER, *GOOD_ROWS, ",,,,,,,,,,,"]).encode("utf-8") + b"\r\n"
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert member_count(session) == 2


def test_import_records_consent_and_one_audit_event(runner, session, tmp_path):
    runner.invoke(args=["members", "import", str(csv_file(tmp_path, *GOOD_ROWS))])
    session.rollback()
    records = session.execute(
        select(Member.email, ConsentRecord.purpose, ConsentRecord.given, ConsentRecord.method)
        .join(Member, Member.id == ConsentRecord.member_id)
        .order_by(Member.email, ConsentRecord.purpose)
    ).all()
    assert [tuple(r) for r in records if r.email == "bob@example.org"] == [
        ("bob@example.org", "access_needs", False, "import"),
        ("bob@example.org", "contact", True, "import"),
        ("bob@example.org", "selection", False, "import"),
        ("bob@example.org", "statistics", False, "import"),
    ]
    assert len(records) == 8
    bob = members_by_email(session)["bob@example.org"]
    assert (bob.consent_contact, bob.consent_selection) == (True, False)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.subject_type, e.record_count, e.actor) for e in events] == [
        ("import", "member", 2, "command line")
    ]
    assert events[0].details["file"] == "members.csv"
    assert (events[0].details["created"], events[0].details["updated"]) == (2, 0)

    runner.invoke(args=["members", "export", str(tmp_path / "out.csv")])
    session.rollback()
    export = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (export.subject_type, export.record_count, export.details["file"]) == (
        "member",
        2,
        "out.csv",
    )


def test_a_failure_while_writing_leaves_nothing_behind(app, monkeypatch, session, tmp_path, uow):
    from panels.register import member_csv
    from panels.register.member_csv import writing

    def fail(self, decisions):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing._Writer, "_consents", fail)
    with app.app_context(), pytest.raises(RuntimeError, match="disk full"):
        member_csv.import_members(uow, csv_file(tmp_path, *GOOD_ROWS).read_bytes(), "members.csv")
    assert member_count(session) == 0
    assert session.scalar(select(func.count()).select_from(MemberCharacteristic)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_large_import_leaves_postgresql_statistics_and_visibility_fresh(
    app, monkeypatch, session, tmp_path, uow
):
    from panels.register import member_csv
    from panels.register.member_csv import writing

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("VACUUM ANALYZE after an import is for PostgreSQL")
    monkeypatch.setattr(writing, "TIDY_AFTER", 2)
    with app.app_context():
        member_csv.import_members(uow, csv_file(tmp_path, *GOOD_ROWS).read_bytes(), "members.csv")
    session.rollback()
    tuples, all_visible = session.execute(
        text("SELECT reltuples, relallvisible FROM pg_class WHERE relname = 'members'")
    ).one()
    assert tuples == 2  # analysed: the planner knows how many members there are
    assert all_visible > 0  # vacuumed: index-only scans need not read the table


def test_a_failed_vacuum_after_an_import_is_logged_and_the_import_kept(
    app, caplog, monkeypatch, session, tmp_path, uow
):
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import OperationalError

    from panels.register import member_csv
    from panels.register.member_csv import writing

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("VACUUM ANALYZE after an import is for PostgreSQL")

    run = Connection.exec_driver_sql

    def fail(self, statement, *args, **kwargs):
        if statement.startswith("VACUUM"):
            raise OperationalError(
                statement, {}, Exception("canceling statement due to lock timeout")
            )
        return run(self, statement, *args, **kwargs)

    monkeypatch.setattr(writing, "TIDY_AFTER", 2)
    monkeypatch.setattr(Connection, "exec_driver_sql", fail)
    with app.app_context():
        result = member_csv.import_members(
            uow, csv_file(tmp_path, *GOOD_ROWS).read_bytes(), "members.csv"
        )
    assert result.created == 2
    assert member_count(session) == 2
    assert "VACUUM ANALYZE of members, member_characteristics" in caplog.text
    assert "lock timeout" in caplog.text


def test_new_members_keep_the_file_order(runner, session, tmp_path):
    rows = [
        f"m{i}@example.org,M{i},Last,1970-01-0{i},SW1A 1AA,,,,yes,no,no,no" for i in range(9, 0, -1)
    ]
    runner.invoke(args=["members", "import", str(csv_file(tmp_path, *rows))])
    exported = runner.invoke(args=["members", "export"]).stdout.splitlines()[1:]
    assert [line.split(",")[0] for line in exported] == [
        f"m{i}@example.org" for i in range(9, 0, -1)
    ]


# The upload page, its preview and the confirmation.


def upload(client, content: str | bytes, mode: str = "add", name: str = "members.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        "/register/import",
        data={"file": (io.BytesIO(data), name), "mode": mode},
        content_type="multipart/form-data",
    )


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def test_upload_preview_then_confirm(app, client, make_user, sign_in, session, worker):
    sign_in(make_user("lead"))
    page = client.get("/register/import").get_data(as_text=True)
    assert "Import members from a CSV file" in page

    preview = upload(client, "\n".join([HEADER, *GOOD_ROWS]) + "\n")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Check the file members.csv" in text
    assert re.search(r"New members\s*</dt>\s*<dd[^>]*>\s*2", text)
    assert "Ann Smith" in text and "bob@example.org" in text
    assert "Import 2 members" in text
    assert member_count(session) == 0  # the preview writes nothing

    stored = list((Path(app.instance_path) / "imports").glob("*.csv"))
    assert len(stored) == 1

    done = client.post("/register/import/confirm", data={"token": token_of(text)})
    assert done.status_code == 302
    job = follow_job(client, job_id_of(done.headers["Location"]), worker=worker)
    assert job["status"] == "succeeded", job
    assert member_count(session) == 2
    assert not any((Path(app.instance_path) / "imports").iterdir())
    banner = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported 2 members from members.csv: 2 added, 0 updated." in banner
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.actor.startswith(f"job {job['id']} (import_members) for lead")
    assert event.details["created"] == 2

    # The same preview cannot be confirmed twice.
    again = client.post("/register/import/confirm", data={"token": token_of(text)})
    assert again.status_code == 400
    assert "has already been used" in again.get_data(as_text=True)
    assert member_count(session) == 2


def test_upload_with_problems_lists_them_and_offers_no_import(client, make_user, sign_in, session):
    sign_in(make_user("lead"))
    bad = GOOD_ROWS[1].replace(",Indian,", ",Martian,").replace("1985-06-15", "2023-02-30")
    response = upload(client, "\n".join([HEADER, GOOD_ROWS[0], bad]) + "\n")
    text = response.get_data(as_text=True)
    assert "members.csv cannot be imported" in text
    assert "There is a problem with the file" in text
    table = text[text.index('data-testid="problems"') :]
    cells = re.findall(r'<td class="govuk-table__cell">\s*(.*?)\s*</td>', table, re.S)
    assert cells[:4] == [
        "3",
        "date_of_birth",
        "2023-02-30",
        "&#39;2023-02-30&#39; is not a real date; enter dates as YYYY-MM-DD, like 1970-01-31",
    ]
    assert cells[4:7] == ["3", "ethnicity", "Martian"]
    assert 'name="token"' not in text
    assert member_count(session) == 0


def test_a_forged_or_missing_token_imports_nothing(client, make_user, sign_in, session):
    sign_in(make_user("lead"))
    text = upload(client, "\n".join([HEADER, *GOOD_ROWS]) + "\n").get_data(as_text=True)
    token = token_of(text)
    assert (
        client.post("/register/import/confirm", data={"token": token[:-2] + "xx"}).status_code
        == 400
    )
    assert client.post("/register/import/confirm", data={}).status_code == 400
    assert member_count(session) == 0


def test_another_user_cannot_confirm_my_upload(app, client, make_user, sign_in):
    # No `session` fixture here: its app context would share `g` (and so the signed-in
    # user) between the two clients.
    sign_in(make_user("lead"))
    token = token_of(upload(client, "\n".join([HEADER, *GOOD_ROWS]) + "\n").get_data(as_text=True))
    other = app.test_client()
    second_lead = make_user("lead")
    assert (
        other.post(
            "/auth/sign-in", data={"email": second_lead.email, "password": "correct horse battery"}
        ).headers["Location"]
        == "/lead/"
    )
    assert other.post("/register/import/confirm", data={"token": token}).status_code == 400
    from panels import db

    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Member)) == 0


def test_upload_update_mode(client, make_user, runner, sign_in, session, tmp_path, worker):
    runner.invoke(args=["members", "import", str(csv_file(tmp_path, *GOOD_ROWS))])
    exported = runner.invoke(args=["members", "export"]).stdout.replace(
        ",Bob,Jones,", ",Robert,Jones,"
    )
    sign_in(make_user("lead"))
    refused = upload(client, exported).get_data(as_text=True)
    assert "A member with this email address is already on the register" in refused
    text = upload(client, exported, mode="update").get_data(as_text=True)
    assert re.search(r"Members whose details will be replaced\s*</dt>\s*<dd[^>]*>\s*2", text)
    done = client.post("/register/import/confirm", data={"token": token_of(text)})
    job = follow_job(client, job_id_of(done.headers["Location"]), worker=worker)
    assert job["status"] == "succeeded", job
    session.expire_all()
    assert members_by_email(session)["bob@example.org"].first_name == "Robert"


def test_upload_of_a_file_that_is_not_utf8_shows_the_problem(client, make_user, sign_in):
    sign_in(make_user("lead"))
    response = upload(
        client, (HEADER + "\n" + GOOD_ROWS[0].replace("Ann", "Zoë") + "\n").encode("latin-1")
    )
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.get_data(as_text=True)


def test_upload_form_errors(client, make_user, sign_in):
    sign_in(make_user("lead"))
    missing = client.post(
        "/register/import", data={"mode": "add"}, content_type="multipart/form-data"
    )
    assert "Select a CSV file" in missing.get_data(as_text=True)
    wrong = upload(client, "x", name="members.xlsx").get_data(as_text=True)
    assert (
        "The selected file must be a CSV file; &#39;members.xlsx&#39; does not end in .csv" in wrong
    )


def test_an_upload_over_the_size_limit_is_refused_clearly(migrated_database, tmp_path, make_user):
    from panels.db import database
    from tests.conftest import make_test_app

    user = make_user("lead")
    app = make_test_app(migrated_database, str(tmp_path / "small"), MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    client.post("/auth/sign-in", data={"email": user.email, "password": "correct horse battery"})
    response = upload(client, "\n".join([HEADER, *GOOD_ROWS * 20]))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "The selected file must be smaller than 1 KB; split it into smaller files" in text
    assert "There is a problem" in text  # the error summary
    database(app).dispose()


# The download.


def test_leads_download_the_file_the_command_writes_marked_for_excel(
    client, make_user, runner, sign_in, session, tmp_path
):
    runner.invoke(args=["members", "import", str(csv_file(tmp_path, *GOOD_ROWS))])
    path = tmp_path / "cli.csv"
    runner.invoke(args=["members", "export", str(path)])
    sign_in(make_user("lead"))
    assert "Download the register as CSV" in client.get("/register/export").get_data(as_text=True)
    response = client.post("/register/export")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.match(
        r"attachment; filename=members-\d{4}-\d{2}-\d{2}\.csv",
        response.headers["Content-Disposition"],
    )
    assert response.data == codecs.BOM_UTF8 + path.read_bytes(), (
        "a byte-order mark, then the same file"
    )
    session.rollback()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).all()
    assert [e.actor for e in events][-1].startswith("lead")
    assert events[-1].record_count == 2


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_only_leads_move_special_category_data_in_files(client, make_user, sign_in, role):
    sign_in(make_user(role))
    for method in ("get", "post"):
        assert getattr(client, method)("/register/export").status_code == 403
        assert getattr(client, method)("/register/import").status_code == 403


# Limits, control characters and new categories.


def test_problems_stop_being_listed_after_500_and_the_rest_are_counted(runner, session, tmp_path):
    rows = [
        f"m{i}@example.org,M{i},Last,1970-01-01,SW1A 1AA,Female,Martian,,yes,yes,yes,no"
        for i in range(1200)
    ]
    result = runner.invoke(args=["members", "import", str(csv_file(tmp_path, *rows))])
    assert result.exit_code != 0
    assert result.output.count("value 'Martian': 'Martian' is not a category") == 500
    assert "Row 501, column ethnicity" in result.output
    assert "Row 502, column ethnicity" not in result.output
    assert "... and 700 more problems, not listed" in result.output
    assert "Nothing was imported: the file has 1,200 problems in 1,200 rows" in result.output
    assert member_count(session) == 0


def test_preview_lists_at_most_500_problems_and_says_how_many_more(app, uow, tmp_path):
    from panels.register.member_csv import preview_import

    path = csv_file(tmp_path, *(["x"] * 300))
    with app.app_context():
        plan = preview_import(uow, path, update=False)
    assert len(plan.problems) == 500
    assert plan.more_problems > 1000 and plan.stopped_at is None
    assert plan.problems[0].row == 2 and plan.problems[-1].row < 100
    assert plan.problems_found == f"{plan.problem_count:,} problems in 300 rows"


def test_checking_stops_after_10000_problems_and_says_at_least(runner, session, tmp_path):
    rows = [
        f"m{i}@example.org,M{i},Last,1970-01-01,SW1A 1AA,Female,Martian,,yes,yes,yes,no"
        for i in range(12_000)
    ]
    result = runner.invoke(args=["members", "import", str(csv_file(tmp_path, *rows))])
    assert result.exit_code != 0
    assert (
        "... and at least 9,500 more problems (checking stopped at row 10,001), not listed"
        in result.output
    )
    assert "Nothing was imported: the file has at least 10,000 problems" in result.output


@pytest.mark.parametrize(
    ("cell", "code"), [("An\x00n", "U+0000"), ("Ann\x1b[31m", "U+001B"), ("Ann\x85", "U+0085")]
)
def test_control_characters_are_refused_in_the_preview_naming_the_cell(
    client, make_user, runner, session, sign_in, tmp_path, cell, code
):
    row = GOOD_ROWS[0].replace(",Ann,", f",{cell},")
    result = runner.invoke(args=["members", "import", str(csv_file(tmp_path, row))])
    assert result.exit_code != 0
    assert (
        f"Row 2, column first_name, value {cell!r}: first_name contains a control character "
        f"({code}); remove it" in result.output
    )
    assert member_count(session) == 0
    sign_in(make_user("lead"))
    page = upload(client, "\n".join([HEADER, row]) + "\n").get_data(as_text=True)
    assert f"first_name contains a control character ({code}); remove it" in page
    assert 'name="token"' not in page


def test_line_breaks_and_tabs_are_allowed_only_in_multi_line_columns(runner, session, tmp_path):
    header = HEADER + ",address,access_needs_notes"
    fine = csv_file(
        tmp_path,
        GOOD_ROWS[0][: -len("no")] + 'yes,"1 High St\r\nLeeds","Quiet\troom"',
        header=header,
    )
    assert runner.invoke(args=["members", "import", str(fine)]).exit_code == 0
    refused = csv_file(
        tmp_path,
        '"bob@example.org","Bob\nby",Jones,1985-06-15,M1 1AE,Male,,,yes,no,no,no,,',
        header=header,
        name="names.csv",
    )
    result = runner.invoke(args=["members", "import", str(refused)])
    assert "first_name contains a control character (U+000A); remove it" in result.output


def demo_round_trip_files(runner, migrated_database, tmp_path):
    """Export the demo register, then empty the database back to a freshly upgraded one."""
    from tests.conftest import _empty_tables

    assert runner.invoke(args=["demo", "--password", "demo-password-123"]).exit_code == 0
    exported = tmp_path / "demo.csv"
    assert runner.invoke(args=["members", "export", str(exported)]).exit_code == 0
    _empty_tables(migrated_database)
    return exported


def test_demo_export_imports_into_a_fresh_register_only_with_add_categories(
    migrated_database, runner, session, tmp_path
):
    exported = demo_round_trip_files(runner, migrated_database, tmp_path)
    assert member_count(session) == 0

    refused = runner.invoke(args=["members", "import", str(exported)])
    assert refused.exit_code != 0
    assert "'Central' is not a category of 'local_area'" in refused.output
    assert "--add-categories" in refused.output

    result = runner.invoke(args=["members", "import", "--add-categories", str(exported)])
    assert result.exit_code == 0, result.output
    assert "These local areas are new and were added: Central," in result.output
    with exported.open(encoding="utf-8", newline="") as file:
        exported_rows = sum(1 for _ in csv.DictReader(file))
    assert exported_rows >= 640  # the demo register, and anyone a demo feature added
    assert f"Imported {exported_rows} members" in result.output
    again = tmp_path / "again.csv"
    assert runner.invoke(args=["members", "export", str(again)]).exit_code == 0
    assert again.read_bytes() == exported.read_bytes()

    session.rollback()
    added = session.scalars(select(AuditEvent).where(AuditEvent.action == "taxonomy")).one()
    assert added.subject_type == "dimension" and added.details["dimension"] == "local_area"
    assert "Central" in added.details["added"] and added.details["file"] == "demo.csv"


def test_add_categories_adds_only_to_extensible_questions(runner, session, tmp_path):
    header = HEADER + ",local_area"
    rows = (
        GOOD_ROWS[0] + ",North Ward",
        GOOD_ROWS[1] + ",north ward",
        "cat@example.org,Cat,Brown,1990-03-03,B33 8TH,Female,Martian,,yes,yes,yes,no,East",
    )
    result = runner.invoke(
        args=[
            "members",
            "import",
            "--add-categories",
            str(csv_file(tmp_path, *rows, header=header)),
        ]
    )
    assert result.exit_code != 0
    assert "Row 4, column ethnicity, value 'Martian'" in result.output
    assert "local_area" not in result.output
    from panels.register.taxonomy import load_taxonomy

    session.rollback()
    assert [c.code for c in load_taxonomy(session)["local_area"].categories] == [
        "prefer_not_to_say"
    ]

    fixed = csv_file(tmp_path, *rows[:2], header=header, name="fixed.csv")
    result = runner.invoke(args=["members", "import", "--add-categories", str(fixed)])
    assert result.exit_code == 0, result.output
    session.rollback()
    codes = [c.code for c in load_taxonomy(session)["local_area"].categories]
    assert codes == ["North Ward", "prefer_not_to_say"]


def test_upload_page_offers_to_add_new_local_areas_and_lists_them(
    client, make_user, session, sign_in, worker
):
    sign_in(make_user("lead"))
    page = client.get("/register/import").get_data(as_text=True)
    assert 'name="add_categories"' in page
    content = "\n".join(
        [HEADER + ",local_area", GOOD_ROWS[0] + ",Central", GOOD_ROWS[1] + ",South"]
    )
    without = upload(client, content).get_data(as_text=True)
    assert "&#39;Central&#39; is not a category of &#39;local_area&#39;" in without
    response = client.post(
        "/register/import",
        data={
            "file": (io.BytesIO(content.encode()), "areas.csv"),
            "mode": "add",
            "add_categories": "y",
        },
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert "These local areas are new and will be added: Central, South" in text
    done = client.post("/register/import/confirm", data={"token": token_of(text)})
    assert done.status_code == 302
    job = follow_job(client, job_id_of(done.headers["Location"]), worker=worker)
    assert job["status"] == "succeeded", job
    session.rollback()
    assert member_count(session) == 2
    from panels.register.taxonomy import load_taxonomy

    assert {c.code for c in load_taxonomy(session)["local_area"].categories} == {
        "Central",
        "South",
        "prefer_not_to_say",
    }


def test_the_add_categories_permission_is_held_by_leads_only(app):
    from panels.features import registry

    with app.app_context():
        assert registry().roles_for("add_categories_on_import") == frozenset({"lead"})


def test_upload_lists_the_first_500_problems_and_counts_the_rest(client, make_user, sign_in):
    sign_in(make_user("lead"))
    rows = [
        f"m{i}@example.org,M{i},Last,1970-01-01,SW1A 1AA,Female,Martian,,yes,yes,yes,no"
        for i in range(600)
    ]
    text = upload(client, "\n".join([HEADER, *rows]) + "\n").get_data(as_text=True)
    table = text[text.index('data-testid="problems"') :]
    assert table.count('<tr class="govuk-table__row">') == 501  # the head row and 500 problems
    assert "600 problems in 600 rows (row 1 is the header row)" in text
    assert "The first 500 problems are listed, and there are 100 more problems." in text
