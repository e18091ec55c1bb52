"""The panels command line."""

from sqlalchemy import func, select

from models import User


def test_create_user_prompts_for_password_and_rejects_duplicates(runner, session):
    result = runner.invoke(
        args=["create-user", "--email", "New.Lead@Test.Example", "--role", "lead"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created engagement lead account new.lead@test.example" in result.output
    user = session.scalar(select(User).where(User.email == "new.lead@test.example"))
    assert user.role == "lead"

    again = runner.invoke(
        args=["create-user", "--email", "new.lead@test.example", "--role", "member"],
        input="a good long password\na good long password\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_create_user_names_a_bad_role(runner):
    result = runner.invoke(args=["create-user", "--email", "x@test.example", "--role", "boss"])
    assert result.exit_code != 0
    assert "'boss' is not one of 'member', 'lead', 'manager', 'admin'" in result.output


def test_demo_seeds_one_account_per_role_with_given_password(runner, client, session):
    result = runner.invoke(args=["demo", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "manager": 1, "lead": 1, "member": 1}
    for email in ("admin@demo.example", "lead@demo.example"):
        assert email in result.output
        response = client.post("/auth/sign-in", data={"email": email, "password": "demo-pass-123"})
        assert response.status_code == 302
        client.post("/auth/sign-out")


def test_demo_without_password_prints_random_passwords(runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    passwords = [
        line.split("password: ")[1] for line in first.output.splitlines() if "password: " in line
    ]
    assert len(passwords) == 4 and len(set(passwords)) == 4
    assert all(len(p) >= 12 for p in passwords)
    assert passwords[0] not in second.output


def test_demo_refuses_a_short_password(runner):
    result = runner.invoke(args=["demo", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_gap_command_is_part_of_the_panels_command(runner, tmp_path):
    people = tmp_path / "panel.csv"
    people.write_text("sex\nFemale\nFemale\nMale\nPrefer not to say\n")
    result = runner.invoke(
        args=[
            "gap",
            "--observed",
            str(people),
            "--target",
            "england-and-wales",
            "--dimension",
            "sex",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Female" in result.output and "Male" in result.output


def test_select_command_is_part_of_the_panels_command(runner, tmp_path):
    pool = tmp_path / "pool.csv"
    pool.write_text(
        "id,sex\n" + "".join(f"p{i},{'Female' if i % 2 else 'Male'}\n" for i in range(8))
    )
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("dimension,category,min,max\nsex,Female,1,1\nsex,Male,1,1\n")
    result = runner.invoke(
        args=[
            "select",
            "--pool",
            str(pool),
            "--quotas",
            str(quotas),
            "--k",
            "2",
            "--seed",
            "7",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.stdout)
    assert len(report["panel"]) == 2 and abs(report["min_probability"] - 0.25) < 1e-9
