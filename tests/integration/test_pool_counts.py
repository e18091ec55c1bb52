"""The eligible pool counted in the database (``count_answers``) equals the pool the draw
takes one person at a time (``answers_for``), consent rules included."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from models import Member
from panels.projects import service
from panels.projects.pool import build_pool, eligible_query
from panels.register.members import InvalidMember
from panels.register.queries import UNKNOWN, answers_for, count_answers, selectable
from panels.register.taxonomy import load_taxonomy

TODAY = date(2028, 2, 29)
"""A leap day, so age bands are counted across the awkward birthdays too."""
DIMENSIONS = [
    "age_band",
    "sex",
    "ethnicity",
    "ethnicity_5",
    "religion",
    "disability",
    "impairment_type",
]


def per_person(session, taxonomy, ids, keys, purpose):
    """The counts as the draw's pool gives them: each person's one answer, or unknown."""
    answers = answers_for(session, taxonomy, ids, purpose=purpose, today=TODAY)
    counts = {key: Counter() for key in keys}
    for mine in answers.values():
        for key in keys:
            codes = mine.get(key, ())
            counts[key][codes[0] if len(codes) == 1 else UNKNOWN] += 1
    return len(answers), {key: dict(c) for key, c in counts.items()}


@pytest.fixture
def varied(make_member, session):
    """60 members: every age band and its edges, people under 18 and with no date of birth,
    each answer given, declined or missing, several impairments, and every consent mix."""
    sexes = ["Female", "Male", "prefer_not_to_say", None]
    groups = ["British", "Indian", "African", "Caribbean", "Irish", "prefer_not_to_say", None]
    religions = ["No religion", "Christian", "Muslim", "Sikh", None]
    impairments = [["Mobility"], ["Vision", "Hearing"], ["prefer_not_to_say"], [], ["Memory"]]
    births = [
        date(2010, 2, 28),  # 18 on the leap day
        date(2010, 3, 1),  # still 17
        date(2003, 3, 1),  # 24
        date(2003, 2, 28),  # 25
        date(1943, 2, 28),  # 85
        date(1943, 3, 1),  # 84
        date(1990, 6, 1),
        date(1960, 1, 1),
        date(1930, 1, 1),
        None,
    ]
    consents = [
        ("contact", "selection", "statistics"),
        ("contact", "selection"),
        ("contact", "statistics"),
        ("selection",),
    ]
    people = []
    for n in range(60):
        answers = {
            "sex": sexes[n % 4],
            "ethnicity": groups[n % 7],
            "religion": religions[n % 5],
            "disability": "Limited a lot" if n % 3 == 0 else None,
            "impairment_type": impairments[n % 5],
        }
        people.append(
            make_member(
                consents=consents[n % 4] if n % 11 else ("contact", "statistics"),
                **{key: value for key, value in answers.items() if value},
            )
        )
    # Dates of birth as they will be on TODAY (the register refuses under-18s when they join).
    for n, member in enumerate(people):
        session.get(Member, member.id).date_of_birth = births[n % 10]
    session.commit()
    return people


@pytest.mark.parametrize("purpose", ["selection", "statistics"])
def test_counts_equal_the_per_person_answers(app, session, varied, purpose):
    taxonomy = load_taxonomy(session)
    query = select(Member.id)
    ids = session.scalars(query).all()
    counted = count_answers(session, taxonomy, query, DIMENSIONS, purpose=purpose, today=TODAY)
    total, expected = per_person(session, taxonomy, ids, DIMENSIONS, purpose)
    assert counted.total == total
    assert counted.counts == expected
    for key in DIMENSIONS:
        assert sum(counted.counts[key].values()) == total


def test_counts_of_a_filtered_pool_equal_the_draws_pool(app, session, uow, varied):
    project = service.create_project(
        uow,
        service.ProjectInput(
            title="Day services review",
            purpose="Decide how the day centres should change",
            level="operational",
        ),
    )
    service.set_builtin_target(uow, project.id, "england-and-wales")
    service.choose_dimensions(uow, project.id, ["sex", "age_band", "ethnicity_5", "religion"])
    service.set_eligibility(uow, project.id, {"religion": ["No religion", "Christian", "Muslim"]})
    service.exclude_member(uow, project.id, varied[0].id, "Works for the service")
    project = service.get_project(uow, project.id)
    taxonomy = load_taxonomy(session)
    chosen = list(project.target.chosen)
    pool = build_pool(session, project, taxonomy, chosen, date.today())
    view = service.pool_view(uow, project.id)
    assert view.size == pool.size > 0
    assert {s.key: s.counts for s in view.summaries} == {k: dict(pool.counts(k)) for k in chosen}
    counted = count_answers(
        session, taxonomy, eligible_query(project, taxonomy, TODAY), chosen, today=TODAY
    )
    assert counted.counts == {
        k: dict(build_pool(session, project, taxonomy, chosen, TODAY).counts(k)) for k in chosen
    }


def test_unknown_answers_are_counted_as_unknown_never_guessed(app, session, make_member):
    make_member(sex="Female", ethnicity="Indian", date_of_birth=date(1990, 1, 1))
    make_member(sex="prefer_not_to_say", ethnicity="prefer_not_to_say", date_of_birth=None)
    young = make_member(impairment_type=["Vision", "Hearing"])
    make_member(impairment_type=["Vision"], date_of_birth=date(1920, 1, 1))
    session.get(Member, young.id).date_of_birth = date(2015, 1, 1)
    session.commit()
    taxonomy = load_taxonomy(session)
    counted = count_answers(
        session,
        taxonomy,
        select(Member.id),
        ["sex", "ethnicity_5", "age_band", "impairment_type"],
        today=TODAY,
    )
    assert counted.total == 4
    assert counted.counts == {
        "sex": {"Female": 1, UNKNOWN: 3},
        "ethnicity_5": {"Asian": 1, UNKNOWN: 3},
        # under 18 and no date of birth are in no band; 108 years old is 85+
        "age_band": {"35-44": 1, "85+": 1, UNKNOWN: 2},
        # two impairments are not one category: the draw takes them as unknown too
        "impairment_type": {"Vision": 1, UNKNOWN: 3},
    }


def test_members_without_consent_to_selection_are_left_out(app, session, make_member):
    make_member(sex="Female")
    make_member(sex="Male", consents=("contact", "statistics"))
    make_member(sex="Male", consents=("contact",))
    taxonomy = load_taxonomy(session)
    everyone = select(Member.id)
    counted = count_answers(session, taxonomy, everyone, ["sex"], today=TODAY)
    assert (counted.total, counted.counts) == (1, {"sex": {"Female": 1}})
    statistics = count_answers(
        session, taxonomy, everyone, ["sex"], purpose="statistics", today=TODAY
    )
    assert (statistics.total, statistics.counts) == (2, {"sex": {"Female": 1, "Male": 1}})
    pool = count_answers(session, taxonomy, selectable(select(Member.id), TODAY), ["sex"])
    assert pool.total == 1


def test_a_second_answer_to_a_one_answer_question_never_reaches_the_register(app, make_member):
    # count_answers counts such questions per category, which relies on this rule.
    with pytest.raises(InvalidMember, match="'ethnicity' takes one answer, not 2"):
        make_member(ethnicity=["British", "Irish"])


def test_an_unknown_purpose_is_refused(app, session):
    with pytest.raises(ValueError, match="'marketing' is not one of: selection, statistics"):
        count_answers(
            session, load_taxonomy(session), select(Member.id), ["sex"], purpose="marketing"
        )


def test_an_empty_pool_counts_nobody(app, session, make_member):
    make_member(sex="Female", consents=("contact",))
    counted = count_answers(session, load_taxonomy(session), select(Member.id), ["sex", "age_band"])
    assert (counted.total, counted.counts) == (0, {"sex": {}, "age_band": {}})


def test_a_query_of_something_other_than_members_is_refused(app, session):
    from models import Invitation

    with pytest.raises(ValueError, match="it must select Member.id alone"):
        count_answers(session, load_taxonomy(session), select(Invitation.member_id), ["sex"])
