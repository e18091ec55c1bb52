"""The people register: adding and changing members, filters, consent rules, audit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, ConsentRecord, Member, MemberAccessNeed
from panels.errors import InvalidInput
from panels.register.members import (
    InvalidMember,
    MemberInput,
    change_consent,
    create_member,
    update_member,
)
from panels.register.queries import answers_for, count_by_category, invitable
from panels.register.search import RegisterQuery, search_register
from panels.register.taxonomy import load_taxonomy


def count(html: str) -> str:
    return re.search(r'data-testid="result-count">([^<]*)<', html).group(1).strip()


@pytest.fixture
def lead(make_user, sign_in):
    user = make_user("lead")
    sign_in(user)
    return user


# --- the taxonomy ---------------------------------------------------------------------------


def test_seeded_taxonomy_follows_the_census_categories(app, uow):
    with app.app_context():
        taxonomy = load_taxonomy(uow.session)
    ethnicity = taxonomy["ethnicity"]
    answerable = [c for c in ethnicity.categories if not c.prefer_not_to_say]
    assert len(answerable) == 19
    assert {c.rolls_up_to for c in answerable} == {"Asian", "Black", "Mixed", "White", "Other"}
    assert ethnicity.find("indian").rolls_up_to == "Asian"
    assert ethnicity.find("Asian, Asian British or Asian Welsh: Indian").code == "Indian"
    for dimension in taxonomy.dimensions:
        assert any(c.prefer_not_to_say for c in dimension.categories), dimension.key
    assert [c.code for c in taxonomy["age_band"].categories][:-1] == [
        "18-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "65-74",
        "75-84",
        "85+",
    ]
    assert taxonomy["impairment_type"].multiple
    assert taxonomy["ethnicity_5"].derived_from == "ethnicity"


def test_unknown_category_error_names_the_valid_ones(app, uow):
    with app.app_context(), pytest.raises(InvalidInput) as error:
        load_taxonomy(uow.session)["ethnicity_5"].find("Other Asian")
    assert str(error.value) == (
        "'Other Asian' is not a category of 'ethnicity_5'; valid categories are: "
        "Asian, Black, Mixed, White, Other, prefer_not_to_say"
    )


# --- adding and changing members -------------------------------------------------------------


def test_create_member_records_consent_with_wording_version_and_audits(app, make_member, session):
    member = make_member(consents=("contact",), ethnicity="Pakistani")
    records = session.scalars(
        select(ConsentRecord).where(ConsentRecord.member_id == member.id)
    ).all()
    assert {(r.purpose, r.given) for r in records} == {
        ("contact", True),
        ("selection", False),
        ("statistics", False),
        ("access_needs", False),
    }
    assert all(r.wording.version == 1 and r.wording.text for r in records)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == member.id)
    ).all()
    assert actions == ["create_member"]


def test_bad_member_input_lists_every_problem_and_writes_nothing(app, session, uow):
    with app.app_context():
        data = MemberInput(
            first_name="",
            last_name="X",
            email="not-an-email",
            postcode="NOPE",
            date_of_birth=date.today() - timedelta(days=365 * 10),
            answers={"ethnicity": ["Martian"], "sex": ["Female", "Male"]},
        )
        with pytest.raises(InvalidMember) as error:
            create_member(uow, data)
    fields = {p.field for p in error.value.problems}
    assert fields == {"first_name", "email", "postcode", "date_of_birth", "ethnicity", "sex"}
    martian = next(p for p in error.value.problems if p.field == "ethnicity")
    assert (
        martian.value == "Martian" and "valid categories are: Indian, Pakistani" in martian.message
    )
    assert session.scalar(select(func.count()).select_from(Member)) == 0


def test_duplicate_email_is_refused(app, make_member):
    make_member(email="same@members.example")
    with pytest.raises(InvalidMember, match="already on the register"):
        make_member(email="SAME@members.example")


def test_access_needs_need_consent_and_withdrawal_deletes_them(app, make_member, session, uow):
    with pytest.raises(InvalidMember, match="only be kept if the member agrees"):
        make_member(consents=("contact",), access_needs=["bsl"])
    member = make_member(
        access_needs=["bsl", "step_free"], access_needs_notes="Needs a BSL interpreter"
    )
    assert session.scalar(select(func.count()).select_from(MemberAccessNeed)) == 2
    with app.app_context():
        change_consent(uow, member.id, "access_needs", False)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(MemberAccessNeed)) == 0
    assert session.get(Member, member.id).access_needs_notes is None


def test_update_records_what_changed_without_special_category_values(
    app, make_member, session, uow
):
    member = make_member(ethnicity="Indian", sex="Female")
    with app.app_context():
        data = MemberInput(
            first_name="Renamed",
            last_name="Tester",
            email=member.email,
            date_of_birth=member.date_of_birth,
            answers={"ethnicity": ["Bangladeshi"], "sex": ["Female"]},
        )
        changed = update_member(uow, member.id, data)
    assert "first_name" in changed and "ethnicity" in changed and "sex" not in changed
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "update_member")).one()
    assert "Bangladeshi" not in str(event.details) and "Indian" not in str(event.details)
    # The form leaves consent unchanged unless asked, and records each change as evidence.
    assert "consent_contact" not in event.details["changed"]


# --- consent rules cannot be bypassed --------------------------------------------------------


def test_withdrawing_contact_consent_removes_from_invitation_search_at_once(
    app, client, lead, make_member, session
):
    member = make_member(first_name="Withdrawer")
    other = make_member(first_name="Stayer")
    assert {m.id for m in session.scalars(invitable())} == {member.id, other.id}
    assert count(client.get("/register/?invitable=yes").get_data(as_text=True)) == "2 people"

    response = client.post(
        f"/register/members/{member.id}/consent",
        data={"purpose": "contact", "given": "no", "method": "phone"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert [m.id for m in session.scalars(invitable())] == [other.id]
    html = client.get("/register/?invitable=yes").get_data(as_text=True)
    assert count(html) == "1 person" and "Withdrawer" not in html
    # The evidence: a withdrawal record, by phone, recorded by the lead.
    record = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.member_id == member.id, ConsentRecord.purpose == "contact")
        .order_by(ConsentRecord.id.desc())
    ).first()
    assert (record.given, record.method, record.recorded_by_id) == (False, "phone", lead.id)


def test_paused_and_left_members_are_not_invitable(app, make_member, session):
    active = make_member()
    make_member(status="left")
    make_member(status="paused", paused_until=date.today() + timedelta(days=30))
    pause_over = make_member(status="paused", paused_until=date.today() - timedelta(days=1))
    assert {m.id for m in session.scalars(invitable())} == {active.id, pause_over.id}


def test_characteristic_filters_never_match_members_without_selection_consent(
    app, make_member, session, uow
):
    consenting = make_member(ethnicity="African")
    make_member(ethnicity="African", consents=("contact", "statistics"))
    with app.app_context():
        taxonomy = load_taxonomy(uow.session)
        for filters in ({"ethnicity": ("African",)}, {"ethnicity_5": ("Black",)}):
            page = search_register(uow, RegisterQuery(filters=filters), taxonomy)
            assert [m.id for m in page.members] == [consenting.id]
        # Even asking for the answers directly for selection leaves them out.
        answers = answers_for(
            session, taxonomy, [m.id for m in session.scalars(select(Member))], purpose="selection"
        )
    assert list(answers) == [consenting.id]
    assert answers[consenting.id]["ethnicity_5"] == ("Black",)


def test_statistics_leave_out_members_without_statistics_consent(app, make_member, session, uow):
    make_member(sex="Female")
    make_member(sex="Female", consents=("contact", "selection"))
    make_member(sex="Male")
    with app.app_context():
        assert count_by_category(session, load_taxonomy(uow.session), "sex") == {
            "Female": 1,
            "Male": 1,
        }


def test_answers_for_refuses_an_unknown_purpose(app, session, uow):
    with app.app_context(), pytest.raises(ValueError, match="purpose 'marketing'"):
        answers_for(session, load_taxonomy(uow.session), [], purpose="marketing")


# --- the register list ---------------------------------------------------------------------


def test_filters_use_roll_ups_and_derived_age_bands(app, client, lead, make_member):
    today = date.today()
    make_member(
        first_name="Young", ethnicity="Chinese", date_of_birth=today.replace(year=today.year - 20)
    )
    make_member(
        first_name="Old", ethnicity="Irish", date_of_birth=today.replace(year=today.year - 80)
    )
    make_member(first_name="Unsaid", ethnicity="prefer not to say", date_of_birth=None)
    assert count(client.get("/register/?f_ethnicity_5=Asian").get_data(as_text=True)) == "1 person"
    assert (
        count(
            client.get("/register/?f_ethnicity_5=White&f_ethnicity_5=Asian").get_data(as_text=True)
        )
        == "2 people"
    )
    html = client.get("/register/?f_age_band=18-24").get_data(as_text=True)
    assert count(html) == "1 person" and "Young" in html
    assert (
        count(client.get("/register/?f_ethnicity_5=Asian&f_age_band=75-84").get_data(as_text=True))
        == "0 people"
    )
    assert "Unsaid" in client.get("/register/?f_ethnicity_5=prefer_not_to_say").get_data(
        as_text=True
    )


def test_age_band_boundaries_follow_birthdays(app, make_member, uow):
    today = date.today()
    turning_25_tomorrow = today.replace(year=today.year - 25) + timedelta(days=1)
    member = make_member(date_of_birth=turning_25_tomorrow)
    with app.app_context():
        taxonomy = load_taxonomy(uow.session)
        assert [
            m.id
            for m in search_register(
                uow, RegisterQuery(filters={"age_band": ("18-24",)}), taxonomy
            ).members
        ] == [member.id]
        assert (
            search_register(uow, RegisterQuery(filters={"age_band": ("25-34",)}), taxonomy).total
            == 0
        )


def test_search_sort_and_pagination(app, client, lead, make_member):
    for i in range(53):
        make_member(first_name=f"Name{i:02d}", last_name=f"Surname{i:02d}")
    html = client.get("/register/").get_data(as_text=True)
    assert count(html) == "53 people"
    assert "Name00 Surname00" in html and "Name50 Surname50" not in html
    page2 = client.get("/register/?page=2").get_data(as_text=True)
    assert "Name50 Surname50" in page2 and "Name00 Surname00" not in page2
    newest = client.get("/register/?sort=-name").get_data(as_text=True)
    assert newest.index("Name52") < newest.index("Name51")
    assert count(client.get("/register/?q=surname07").get_data(as_text=True)) == "1 person"
    assert count(client.get("/register/?q=person3@members").get_data(as_text=True)) != "0 people"


def test_pagination_links_keep_every_filter(app, client, lead, make_member):
    for i in range(27):
        make_member(first_name=f"Asian{i:02d}", ethnicity="Indian")
        make_member(first_name=f"Black{i:02d}", ethnicity="African")
    make_member(first_name="White00", ethnicity="Irish")
    first = client.get("/register/?f_ethnicity_5=Asian&f_ethnicity_5=Black&q=").get_data(
        as_text=True
    )
    assert count(first) == "54 people"
    next_href = re.search(
        r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next"', first
    )
    assert next_href, "the first page links to the next one"
    href = next_href.group(1).replace("&amp;", "&")
    assert "page=2" in href and href.count("f_ethnicity_5=") == 2
    second = client.get(href)
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert count(html) == "54 people" and "White00" not in html
    assert 'aria-label="Page 2" aria-current="page"' in html


def test_bad_filter_values_are_named(app, client, lead):
    response = client.get("/register/?sort=shoe-size")
    assert response.status_code == 400
    assert "sort &#39;shoe-size&#39; is not valid; use one of: name" in response.get_data(
        as_text=True
    )
    response = client.get("/register/?f_favourite_colour=blue")
    assert response.status_code == 400
    assert "&#39;favourite_colour&#39; is not a dimension" in response.get_data(as_text=True)


# --- special-category data and the audit log ---------------------------------------------------


def test_lead_sees_characteristics_and_the_view_is_audited(app, client, lead, make_member, session):
    member = make_member(ethnicity="Caribbean", religion="Muslim")
    html = client.get(f"/register/members/{member.id}").get_data(as_text=True)
    assert "Caribbean" in html and "Muslim" in html
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_characteristics")
    ).one()
    assert (event.user_id, event.subject_type, event.subject_id) == (lead.id, "member", member.id)


def test_managers_see_counts_not_people(app, client, make_user, sign_in, make_member, session):
    members = [
        make_member(
            first_name=f"Named{i}",
            email=f"named{i}@members.example",
            phone="07700 900123",
            ethnicity="Caribbean" if i < 3 else "Arab" if i < 5 else "Indian",
            access_needs=["bsl"],
            access_needs_notes="Has epilepsy",
        )
        for i in range(11)
    ]
    make_member(consents=("contact",), ethnicity="Caribbean")  # no statistics consent
    sign_in(make_user("manager"))
    # No lists of people, no member pages, no forms.
    for url in (
        "/register/",
        "/register/?f_sex=Female",
        f"/register/members/{members[0].id}",
        f"/register/members/{members[0].id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    html = client.get("/register/summary").get_data(as_text=True)
    assert "12 people are on the register" in html
    assert "Out of the 11 people who agreed" in html
    for private in ("Named", "members.example", "07700", "epilepsy", "British Sign Language"):
        assert private not in html
    table = html[html.index('data-testid="summary-ethnicity_5"') :]
    table = table[: table.index("</table>")]
    cells = dict(re.findall(r'<th scope="row"[^>]*>([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', table))
    assert cells["Asian, Asian British or Asian Welsh"] == "6"
    assert cells["Black, Black British, Black Welsh, Caribbean or African"] == "fewer than 5"
    assert cells["Other ethnic group"] == "fewer than 5"
    assert cells["White"] == "0"
    # Viewing the numbers reads no one's equality information or access needs.
    assert (
        session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("view_%"))).all()
        == []
    )


def test_a_single_small_count_cannot_be_worked_out_from_the_total():
    from panels.register.search import protect_small_counts

    shown = [c.shown for c in protect_small_counts([("a", 40), ("b", 3), ("c", 12), ("d", 0)])]
    assert shown == ["40", "fewer than 5", "not shown", "0"]
    shown = [c.shown for c in protect_small_counts([("a", 40), ("b", 3), ("c", 2), ("d", 7)])]
    assert shown == ["40", "fewer than 5", "fewer than 5", "7"]


def test_leads_see_the_numbers_too(app, client, lead, make_member):
    make_member()
    html = client.get("/register/summary").get_data(as_text=True)
    assert "1 person is on the register" in html
    assert 'href="/register/"' in html


def test_searching_by_special_category_is_audited_with_the_count(
    app, client, lead, make_member, session
):
    make_member(ethnicity="Arab")
    client.get("/register/?f_ethnicity_5=Other")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "register_search")
    ).one()
    assert event.record_count == 1 and event.details == {"filters": {"ethnicity_5": ["Other"]}}


# --- the add form ------------------------------------------------------------------------------


def test_add_member_form_end_to_end(app, client, lead, session):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": ["10", "12", "1980"],
        "email": "Ada@Example.org",
        "postcode": "sw1a1aa",
        "status": "active",
        "joined_via": "partner",
        "referred_by": "Carers Centre",
        "consents": ["contact", "selection", "access_needs"],
        "consent_method": "paper",
        "access_needs": ["easy_read"],
        "dim_ethnicity": "Caribbean",
        "dim_impairment_type": ["Vision", "Hearing"],
    }
    response = client.post("/register/members/new", data=data)
    assert response.status_code == 302
    member = session.scalars(select(Member)).one()
    assert (member.email, member.postcode, member.joined_via) == (
        "ada@example.org",
        "SW1A 1AA",
        "partner",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Black, Black British" in html  # the roll-up, worked out
    assert "Vision" in html and "Easy Read" in html
    methods = set(session.scalars(select(ConsentRecord.method)))
    assert methods == {"paper"}


def test_add_member_form_errors_are_summarised(app, client, lead):
    html = client.post(
        "/register/members/new",
        data={
            "first_name": "",
            "last_name": "",
            "postcode": "XYZ",
            "date_of_birth": ["31", "2", "1990"],
            "status": "active",
            "joined_via": "staff",
        },
    ).get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter a first name" in html and "Enter a last name" in html
    assert "Date of birth must be a real date" in html


# --- consent evidence under concurrency -----------------------------------------------------


def _at_once(app, count: int, work) -> list[BaseException]:
    """Run ``work(uow)`` in ``count`` threads at once, each in its own unit of work: real
    concurrent transactions on PostgreSQL, and on SQLite too (where reads outside a write
    transaction let two writers both see the old state unless the first write comes first)."""
    import threading

    from panels.db import open_unit_of_work
    from panels.uow import Actor

    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
            barrier.wait()
            try:
                work(uow)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _repeated_states(session) -> list[tuple[int, str, bool]]:
    """Consent records that repeat the decision recorded before them for the same purpose."""
    session.rollback()
    last: dict[tuple[int, str], bool] = {}
    repeated = []
    for member_id, purpose, given in session.execute(
        select(ConsentRecord.member_id, ConsentRecord.purpose, ConsentRecord.given).order_by(
            ConsentRecord.id
        )
    ):
        if last.get((member_id, purpose)) == given:
            repeated.append((member_id, purpose, given))
        last[(member_id, purpose)] = given
    return repeated


def test_concurrent_withdrawals_record_one_piece_of_evidence(app, make_member, session):
    member = make_member()
    errors = _at_once(app, 8, lambda uow: change_consent(uow, member.id, "contact", False))
    assert errors == []
    session.rollback()
    records = session.execute(
        select(ConsentRecord.given)
        .where(ConsentRecord.member_id == member.id, ConsentRecord.purpose == "contact")
        .order_by(ConsentRecord.id)
    ).scalars()
    assert list(records) == [True, False]
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "consent")).all()
    assert len(events) == 1
    assert _repeated_states(session) == []


def test_concurrent_update_imports_record_no_repeated_consent(
    app, make_member, runner, session, tmp_path
):
    from panels.register.member_csv import import_members

    for _ in range(20):
        make_member()
    exported = runner.invoke(args=["members", "export"]).stdout
    content = exported.replace(",yes,yes,yes,yes\n", ",no,yes,no,yes\n").encode()
    errors = _at_once(app, 6, lambda uow: import_members(uow, content, "same.csv", update=True))
    assert errors == []
    assert _repeated_states(session) == []
    session.rollback()
    assert (
        session.scalar(
            select(func.count()).select_from(ConsentRecord).where(ConsentRecord.given.is_(False))
        )
        == 40
    )


# --- two people adding the same member at once -------------------------------------------------


def _insert_member_elsewhere_before_next_flush(app, target, email: str) -> None:
    """Just before ``target`` (a session, or the sessionmaker) next writes, another
    connection commits a member with ``email`` (a colleague saving the same person at the
    same moment)."""
    from sqlalchemy import event, insert

    from panels.db import database

    def late_insert(_session, _context, _instances):
        with database(app).engine.begin() as other:
            other.execute(
                insert(Member).values(
                    first_name="Other",
                    last_name="Colleague",
                    email=email,
                    status="active",
                    joined_via="staff",
                    panels_served=0,
                    consent_contact=False,
                    consent_selection=False,
                    consent_statistics=False,
                    consent_access_needs=False,
                )
            )

    if database(app).engine.dialect.name == "sqlite":
        # SQLite has one writer: once the change holds the write lock (it takes it before it
        # reads what it decides on) no one else can write, so the colleague's save comes
        # just before the change's first statement instead.
        event.listen(
            target, "do_orm_execute", lambda _state: late_insert(None, None, None), once=True
        )
    else:
        event.listen(target, "before_flush", late_insert, once=True)


def test_a_duplicate_email_added_at_the_same_moment_is_a_form_error_not_a_crash(
    app, client, lead, session
):
    from panels.db import database

    _insert_member_elsewhere_before_next_flush(
        app, database(app).sessionmaker, "twin@members.example"
    )
    response = client.post(
        "/register/members/new",
        data={
            "first_name": "Twin",
            "last_name": "One",
            "email": "twin@members.example",
            "status": "active",
            "joined_via": "staff",
            "consent_method": "online",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "A member with this email address is already on the register" in html
    assert 'href="#email"' in html
    assert session.scalars(select(Member.last_name)).all() == ["Colleague"]


def test_changing_to_an_email_someone_else_just_took_is_refused(app, make_member, session, uow):
    member = make_member(email="before@members.example")
    with app.app_context():
        taxonomy = load_taxonomy(uow.session)
        from panels.register.members import member_input_from

        data = member_input_from(uow.session.get(Member, member.id), taxonomy)
        data.email = "taken@members.example"
        _insert_member_elsewhere_before_next_flush(app, uow.session, "taken@members.example")
        with pytest.raises(InvalidMember, match="Another member already has this email"):
            update_member(uow, member.id, data)
    session.expire_all()
    assert session.get(Member, member.id).email == "before@members.example"


# --- date errors, flash messages ---------------------------------------------------------------

MINIMAL_MEMBER = {
    "first_name": "Dora",
    "last_name": "Date",
    "status": "active",
    "joined_via": "staff",
    "consent_method": "online",
}


@pytest.mark.parametrize(
    ("parts", "message", "target"),
    [
        (["31", "2", "1990"], "Date of birth must be a real date", "date_of_birth-day"),
        (["12", "", "1990"], "Date of birth must include a month", "date_of_birth-month"),
        (["", "3", "1990"], "Date of birth must include a day", "date_of_birth-day"),
        (["", "", "1990"], "Date of birth must include a day and month", "date_of_birth-day"),
        (["1", "13", "1990"], "Date of birth must be a real date", "date_of_birth-month"),
        (["1", "3", "90"], "Year must include 4 numbers", "date_of_birth-year"),
        (["1", "March", "1990"], "Date of birth must be a real date", "date_of_birth-month"),
        (["1", "1", str(date.today().year + 1)], "Date of birth must be in the past", None),
    ],
)
def test_date_of_birth_errors_use_gov_uk_wording_and_link_to_the_input(
    app, client, lead, session, parts, message, target
):
    response = client.post("/register/members/new", data={**MINIMAL_MEMBER, "date_of_birth": parts})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert message in html
    assert "Not a valid date value" not in html
    # The summary links to an input that exists on the page, so focus moves to it.
    href = re.search(r'<a href="#([^"]+)">' + re.escape(message), html).group(1)
    assert href == (target or "date_of_birth-day")
    assert f'id="{href}"' in html
    assert session.scalar(select(func.count()).select_from(Member)) == 0


def test_several_flash_messages_each_show_once_escaped(app, client, lead):
    for name in ("Tom <b>& Jerry", "Second"):
        response = client.post(
            "/register/members/new",
            data={**MINIMAL_MEMBER, "first_name": name, "email": f"{name[:3]}@x.example"},
        )
        assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;br&gt;" not in html and "&amp;lt;" not in html
    assert "Tom &lt;b&gt;&amp; Jerry Date has been added to the register." in html
    assert "Second Date has been added to the register." in html


@pytest.mark.parametrize(
    ("bad_rows", "sentence", "caption"),
    [
        (1, "Correct this problem in your spreadsheet", "1 problem (row 1 is the header row)"),
        (3, "Correct these 3 problems in your spreadsheet", "3 problems (row 1 is the header"),
    ],
)
def test_import_problems_are_counted_in_plain_english(
    app, client, lead, bad_rows, sentence, caption
):
    import io

    header = "email,first_name,last_name,date_of_birth,postcode,consent_contact"
    header += ",consent_selection,consent_statistics,consent_access_needs"
    rows = [f"p{i}@example.org,P{i},Person,,,maybe,no,no,no" for i in range(bad_rows)]
    content = "\n".join([header, *rows]).encode()
    html = client.post(
        "/register/import",
        data={"file": (io.BytesIO(content), "members.csv"), "mode": "add"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert sentence in html and caption in html
    assert "these 1 problems" not in html and "1 problems" not in html


# --- consent: confirmed, with how they told us and the wording they agree to ------------------


def test_withdrawing_access_needs_consent_asks_first_and_says_what_it_deletes(
    app, client, lead, make_member, session
):
    member = make_member(
        first_name="Bea", access_needs=["bsl", "step_free"], access_needs_notes="Mornings only"
    )
    page = client.get(f"/register/members/{member.id}").get_data(as_text=True)
    # No one-click withdrawal on the member page: a link to a page that asks first.
    assert f'action="/register/members/{member.id}/consent"' not in page
    link = f"/register/members/{member.id}/consent?purpose=access_needs"
    assert f'href="{link}"' in page

    confirm = client.get(link)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "<title>Withdraw consent to keep access needs? – Bea Tester" in html
    assert (
        "This deletes their recorded access needs (British Sign Language interpreter, "
        "Step-free access) and the notes about what helps them take part now. "
        "You cannot undo this."
    ) in html
    assert "may keep a record of the help I need to take part" in html  # the full wording
    assert "In person" in html and 'value="in_person"' in html
    # Nothing has changed yet.
    session.expire_all()
    assert session.get(Member, member.id).consent_access_needs is True
    assert session.scalar(select(func.count()).select_from(MemberAccessNeed)) == 2

    # Confirming without saying how they told us is an error on that question.
    form = {"purpose": "access_needs", "given": "no"}
    refused = client.post(f"/register/members/{member.id}/consent", data=form)
    assert refused.status_code == 400
    assert '<a href="#method">Choose how they told us</a>' in refused.get_data(as_text=True)

    done = client.post(
        f"/register/members/{member.id}/consent", data={**form, "method": "in_person"}
    )
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Member, member.id).consent_access_needs is False
    assert session.scalar(select(func.count()).select_from(MemberAccessNeed)) == 0
    record = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.purpose == "access_needs")
        .order_by(ConsentRecord.id.desc())
    ).first()
    assert (record.given, record.method, record.recorded_by_id) == (False, "in_person", lead.id)
    history = client.get(f"/register/members/{member.id}").get_data(as_text=True)
    assert "In person, " + lead.email in history


def test_giving_consent_shows_the_wording_they_agree_to(app, client, lead, make_member, session):
    member = make_member(consents=("contact",))
    html = client.get(f"/register/members/{member.id}/consent?purpose=statistics").get_data(
        as_text=True
    )
    assert "Record that Person" in html
    assert "may use my equality information in statistics that do not name me" in html
    assert "You cannot undo this" not in html
    client.post(
        f"/register/members/{member.id}/consent",
        data={"purpose": "statistics", "given": "yes", "method": "paper"},
    )
    session.expire_all()
    assert session.get(Member, member.id).consent_statistics is True


def test_a_stale_confirmation_changes_nothing(app, client, lead, make_member, session):
    member = make_member(consents=())
    response = client.post(
        f"/register/members/{member.id}/consent",
        data={"purpose": "contact", "given": "no", "method": "phone"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed: consent was already withdrawn." in page
    assert session.scalar(select(func.count()).select_from(ConsentRecord)) == 4


def test_the_change_form_shows_the_full_wording_of_each_consent(app, client, lead, make_member):
    member = make_member()
    for url in ("/register/members/new", f"/register/members/{member.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "may contact me about chances to take part in co-production" in html
        assert "(wording version 1)" in html
        assert "In person" in html


def test_viewing_access_needs_is_audited(app, client, lead, make_member, session):
    without = make_member()
    client.get(f"/register/members/{without.id}")
    assert (
        session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "view_access_needs")
        ).all()
        == []
    )
    member = make_member(access_needs=["quiet_space"])
    html = client.get(f"/register/members/{member.id}").get_data(as_text=True)
    assert "A quiet space" in html
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_access_needs")
    ).one()
    assert (event.user_id, event.subject_id) == (lead.id, member.id)
    assert "Viewed access needs" not in html  # views are not changes
