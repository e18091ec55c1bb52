"""The demo (``panels demo``) shows outreach and impact: partners with a yield, ladder
ratings and "you said, we did" on the closed demo project, and projects raising each flag."""

from __future__ import annotations

from sqlalchemy import select

from models import FeedbackItem, LadderRating, Project


def test_the_demo_seeds_outreach_impact_and_each_flag(app, runner, session):
    result = runner.invoke(args=["demo", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    assert "3 partner organisations" in result.output
    assert "raise the box-ticking flags" in result.output

    from panels.db import open_unit_of_work
    from panels.impact.flags import project_flags
    from panels.outreach.reach import partner_members
    from panels.uow import Actor

    closed = session.scalar(select(Project).where(Project.title == "Carers' short breaks"))
    raters = {
        r.rater
        for r in session.scalars(select(LadderRating).where(LadderRating.project_id == closed.id))
    }
    assert raters == {"member", "staff"}
    published = session.scalars(
        select(FeedbackItem).where(FeedbackItem.project_id == closed.id)
    ).all()
    assert len(published) == 2 and all(i.status == "published" for i in published)
    with app.app_context(), open_unit_of_work(Actor.command_line(), app) as uow:
        flagged = {f.project.title: {flag.check for flag in f.flags} for f in project_flags(uow)}
        assert sum(len(ids) for ids in partner_members(uow).values()) == 1
    assert {"low_on_the_ladder", "no_feedback_after_closing"} <= flagged["Home care charges"]
    assert "confirmed_after_decision" in flagged["Reablement leaflet"]
    assert "familiar_voices" in flagged["Transport to day centres"]
    assert "payments_unpaid" in flagged["Respite review"]
    # Rated co-design by its members, fed back at once, its members paid (the payments
    # demo): only the projects demo's dates flag it (its panel is confirmed on the day the
    # demo is seeded, after its decision date).
    assert flagged["Carers' short breaks"] <= {"confirmed_after_decision"}
