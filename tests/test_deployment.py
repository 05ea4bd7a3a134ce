"""The deployment files (Dockerfile, docker-compose.yml) name things that really exist.

A typo in a compose command (`emergency.wgsi:application`, `celery -A emergncy`,
`manage.py migrat`) passes every other test and only shows up as a crash loop on the
server. These tests read the files and check each entry point against the code.

Each check is a small helper returning a list of problems (empty = fine), so it can also be
called on a modified dict; the tests assert that the list is empty.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

# Importing emergency.wsgi builds WhiteNoise, which warns when collectstatic has not run.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
MIGRATE_CONDITION = "service_completed_successfully"


# --------------------------------------------------------------------------- reading files


def load_compose(path: Path = COMPOSE_FILE) -> dict:
    assert path.is_file(), f"{path.name} is missing from the repository"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict) and data["services"], (
        f"{path.name} has no `services:` mapping"
    )
    return data


def build_dockerfile(service: dict) -> Path:
    """The Dockerfile a service with `build:` is built from."""
    build = service["build"]
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    else:
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    return (REPO / context / dockerfile).resolve()


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with `\\` continuations joined and comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # comments are dropped even inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    if pending:
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def exec_form(instruction: str, arguments: str) -> list[str]:
    """Arguments of CMD/ENTRYPOINT in JSON exec form; shell form is refused."""
    try:
        argv = json.loads(arguments)
    except json.JSONDecodeError:
        argv = None
    assert isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv), (
        f"Dockerfile {instruction} must be in JSON exec form, e.g. {instruction} [\"gunicorn\", ...]; "
        f"got {instruction} {arguments}"
    )
    return argv


def dockerfile_default_argv(instructions: list[tuple[str, str]]) -> list[str] | None:
    """What the image runs with no command given: ENTRYPOINT + CMD (the last of each)."""
    entrypoint = [exec_form(i, a) for i, a in instructions if i == "ENTRYPOINT"]
    cmd = [exec_form(i, a) for i, a in instructions if i == "CMD"]
    argv = (entrypoint[-1] if entrypoint else []) + (cmd[-1] if cmd else [])
    return argv or None


def as_argv(command) -> list[str]:
    """A compose `command`/`entrypoint`: a list as is, a string split as compose splits it."""
    if isinstance(command, str):
        return shlex.split(command)
    assert isinstance(command, list), f"command must be a list or a string, got {command!r}"
    return [str(part) for part in command]


def service_argv(service: dict, image_default: list[str] | None) -> list[str] | None:
    """The command a service really runs."""
    entrypoint = as_argv(service["entrypoint"]) if service.get("entrypoint") else []
    if service.get("command"):
        return entrypoint + as_argv(service["command"])
    if entrypoint:  # a compose entrypoint drops the image's CMD
        return entrypoint
    return image_default


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)


def depends_on(service: dict) -> dict:
    """depends_on as {service: condition}; the short list form means `service_started`."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


# --------------------------------------------------------------------------- entry points


def strip_python(argv: list[str]) -> list[str]:
    """`python -m celery ...` -> `celery ...`; `python manage.py` stays as it is."""
    if argv and Path(argv[0]).name.startswith("python") and len(argv) > 2 and argv[1] == "-m":
        return argv[2:]
    return argv


def program(argv: list[str]) -> str:
    argv = strip_python(argv)
    if not argv:
        return ""
    if Path(argv[0]).name.startswith("python") and len(argv) > 1 and Path(argv[1]).name == "manage.py":
        return "manage.py"
    return Path(argv[0]).name


def gunicorn_problems(argv: list[str]) -> list[str]:
    from gunicorn.config import Config

    parser = Config().parser()
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            options = parser.parse_args(argv[1:])
    except SystemExit:
        error = stderr.getvalue().strip().splitlines()[-1:]  # argparse's "error: ..." line
        return [f"gunicorn rejects its options {argv[1:]}: {' '.join(error)}"]
    if len(options.args) != 1:
        return [f"gunicorn needs exactly one application `module:callable`, got {options.args}"]
    module_name, _, attribute = options.args[0].partition(":")
    attribute = attribute or "application"  # gunicorn's own default
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return [f"gunicorn application module {module_name!r} cannot be imported: {exc}"]
    app = getattr(module, attribute, None)
    if app is None:
        return [f"gunicorn application {options.args[0]!r}: module {module_name} has no attribute {attribute!r}"]
    if not callable(app):
        return [f"gunicorn application {options.args[0]!r} is not callable"]
    return []


def option_names(command) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


def celery_value_options(command) -> set[str]:
    return {
        name
        for param in command.params
        if not getattr(param, "is_flag", False) and not getattr(param, "count", False)
        for name in param.opts
    }


def split_celery_argv(argv: list[str]) -> tuple[str | None, str | None, list[str]]:
    """`celery [global options] SUBCOMMAND [options]` -> (app, subcommand, subcommand args)."""
    from celery.bin.celery import celery as celery_main

    takes_value = celery_value_options(celery_main)
    app, args, index = None, argv[1:], 0
    while index < len(args):
        token = args[index]
        if token in ("-A", "--app"):
            app = args[index + 1] if index + 1 < len(args) else None
            index += 2
        elif token.startswith("--app="):
            app, index = token.split("=", 1)[1], index + 1
        elif token.startswith("-A") and len(token) > 2:
            app, index = token[2:], index + 1
        elif token.startswith("-"):
            index += 2 if token in takes_value else 1
        else:
            return app, token, args[index + 1 :]
    return app, None, []


def celery_app_problems(app_name: str | None) -> list[str]:
    from celery import Celery
    from celery.app.utils import find_app

    if not app_name:
        return ["celery command has no -A/--app: it would run the default app, not the portal's"]
    module_name, _, attribute = app_name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return [f"celery -A {app_name}: module {module_name!r} cannot be imported: {exc}"]
    if attribute:
        candidates = {attribute: getattr(module, attribute, None)}
    else:
        candidates = {name: getattr(module, name, None) for name in ("app", "celery_app")}
    apps = [obj for obj in candidates.values() if isinstance(obj, Celery)]
    if not apps:
        return [f"celery -A {app_name}: {module_name} has no celery.Celery instance as {' or '.join(candidates)}"]
    try:
        resolved = find_app(app_name)  # what `celery -A` itself does
    except Exception as exc:  # noqa: BLE001 - any failure here is the finding
        return [f"celery -A {app_name} does not resolve to an app: {exc!r}"]
    if resolved not in apps:
        return [f"celery -A {app_name} resolves to {resolved!r}, not the app in {module_name}"]
    return []


def celery_problems(argv: list[str]) -> list[str]:
    from celery.bin.celery import celery as celery_main

    app_name, subcommand, sub_args = split_celery_argv(strip_python(argv))
    problems = celery_app_problems(app_name)
    if subcommand is None:
        return problems + [f"celery command {argv} names no sub-command (worker, beat, ...)"]
    if subcommand not in celery_main.commands:
        return problems + [
            f"{subcommand!r} is not a celery sub-command; known: {', '.join(sorted(celery_main.commands))}"
        ]
    known = option_names(celery_main.commands[subcommand])
    for token in sub_args:
        if token.startswith("-") and token != "-":
            name = token.split("=", 1)[0] if token.startswith("--") else token[:2]
            if name not in known:
                problems.append(f"celery {subcommand} has no option {name!r}")
    return problems


def manage_py_problems(argv: list[str]) -> list[str]:
    from django.core.management import CommandError, get_commands, load_command_class

    if len(argv) < 3:
        return [f"{argv} names no management command"]
    name, options = argv[2], argv[3:]
    commands = get_commands()
    if name not in commands:
        return [f"`manage.py {name}` is not a management command of this project"]
    command = load_command_class(commands[name], name)
    try:
        command.create_parser("manage.py", name).parse_args(options)
    except (CommandError, SystemExit, argparse.ArgumentError) as exc:
        return [f"`manage.py {name}` rejects its options {options}: {exc}"]
    return []


CHECKERS = {"gunicorn": gunicorn_problems, "celery": celery_problems, "manage.py": manage_py_problems}


def entry_point_problems(argv: list[str] | None) -> list[str]:
    """Does this command start something that exists in the code?"""
    if not argv:
        return ["no command at all (neither `command:` nor a Dockerfile CMD)"]
    checker = CHECKERS.get(program(argv))
    if checker is None:
        return [f"unrecognised entry point {argv}; the checker knows {', '.join(CHECKERS)}"]
    return checker(list(strip_python(argv)) if program(argv) != "manage.py" else argv)


def runs_beat(argv: list[str] | None) -> bool:
    if not argv or program(argv) != "celery":
        return False
    _, subcommand, sub_args = split_celery_argv(strip_python(argv))
    embedded = any(t in ("-B", "--beat") or (t.startswith("-B") and not t.startswith("--")) for t in sub_args)
    return subcommand == "beat" or (subcommand == "worker" and embedded)


# --------------------------------------------------------------------------- compose checks


def build_services(compose: dict) -> dict:
    return {name: svc for name, svc in compose["services"].items() if svc.get("build")}


def image_default_argv(service: dict) -> list[str] | None:
    dockerfile = build_dockerfile(service)
    if not dockerfile.is_file():
        return None
    return dockerfile_default_argv(dockerfile_instructions(dockerfile.read_text(encoding="utf-8")))


def command_problems(compose: dict) -> list[str]:
    services = build_services(compose)
    if not services:
        return ["no service is built from this repository (`build:`)"]
    problems = []
    for name, service in services.items():
        argv = service_argv(service, image_default_argv(service))
        problems += [f"service {name!r}: {problem}" for problem in entry_point_problems(argv)]
    return problems


def beat_problems(compose: dict) -> list[str]:
    beats = [
        name
        for name, service in compose["services"].items()
        if runs_beat(service_argv(service, image_default_argv(service) if service.get("build") else None))
    ]
    if len(beats) != 1:
        return [f"exactly one service must run celery beat (each beat sends every scheduled task); found {beats}"]
    replicas = (compose["services"][beats[0]].get("deploy") or {}).get("replicas", 1)
    if replicas != 1:
        return [f"beat service {beats[0]!r} has {replicas} replicas; it must have one"]
    return []


def migrate_dependency_problems(compose: dict) -> list[str]:
    services = compose["services"]
    migrators = [
        name
        for name, service in services.items()
        if (argv := service_argv(service, None)) and program(argv) == "manage.py" and argv[2:3] == ["migrate"]
    ]
    if len(migrators) != 1:
        return [f"exactly one service must run `manage.py migrate`; found {migrators}"]
    migrate = migrators[0]
    problems = []
    for name, service in services.items():
        condition = depends_on(service).get(migrate)
        if service.get("build") and name != migrate and condition is None:
            problems.append(f"service {name!r} runs the portal but does not wait for {migrate!r}")
        elif condition is not None and condition != MIGRATE_CONDITION:
            problems.append(
                f"service {name!r} depends on {migrate!r} with condition {condition!r}; "
                f"use {MIGRATE_CONDITION!r} so it starts only after the migrations succeeded"
            )
    return problems


def debug_problems(compose: dict) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        env = environment(service)
        if "DEBUG" in env and str(env["DEBUG"]).strip().lower() != "false":
            problems.append(f"service {name!r} sets DEBUG={env['DEBUG']!r}; production must have DEBUG=false")
    return problems


def healthcheck_url_problems(compose: dict) -> list[str]:
    from django.urls import Resolver404, resolve

    problems = []
    for name, service in compose["services"].items():
        test = (service.get("healthcheck") or {}).get("test") or []
        text = " ".join(test) if isinstance(test, list) else str(test)
        for url in re.findall(r"https?://(?:127\.0\.0\.1|localhost)(?::\d+)?(/[^\s'\"]*)", text):
            try:
                resolve(url)
            except Resolver404:
                problems.append(f"service {name!r}: healthcheck path {url!r} is not a URL of the portal")
    return problems


# --------------------------------------------------------------------------- Dockerfile checks


def copy_sources(arguments: str) -> list[str]:
    """Source paths of a COPY/ADD (flags and destination dropped); [] for COPY --from=."""
    parts = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
    if any(part.startswith("--from") for part in parts):
        return []
    paths = [part for part in parts if not part.startswith("--")]
    return paths[:-1]


def requirement_files(arguments: str) -> list[str]:
    return re.findall(r"(?:^|\s)(?:-r|--requirement)(?:\s+|=)(\S+)", arguments)


def nested_requirement_problems(path: Path, seen: set[Path] | None = None) -> list[str]:
    """A requirements file's own `-r other.txt` lines must name existing files too."""
    seen = seen if seen is not None else set()
    if path in seen:
        return []
    seen.add(path)
    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        for name in requirement_files(line.split("#", 1)[0]):
            nested = path.parent / name
            if not nested.is_file():
                problems.append(f"{path.name} includes -r {name}, which does not exist")
            else:
                problems += nested_requirement_problems(nested, seen)
    return problems


def dockerfile_file_problems(instructions: list[tuple[str, str]]) -> list[str]:
    problems, copied = [], set()
    workdir = "/"
    for instruction, arguments in instructions:
        if instruction == "WORKDIR":
            workdir = arguments if arguments.startswith("/") else f"{workdir.rstrip('/')}/{arguments}"
        elif instruction in ("COPY", "ADD"):
            for source in copy_sources(arguments):
                pattern = source.lstrip("/")
                exists = (REPO / pattern).exists() or (any(c in pattern for c in "*?[") and any(REPO.glob(pattern)))
                if not exists:
                    problems.append(f"Dockerfile {instruction} {source}: no such file in the repository")
                copied.add(Path(source).as_posix())
        elif instruction == "RUN":
            for name in requirement_files(arguments):
                relative = Path(name).relative_to(workdir) if name.startswith("/") else Path(name)
                if not (REPO / relative).is_file():
                    problems.append(f"Dockerfile RUN installs -r {name}: no such file in the repository")
                    continue
                if not ({".", "./", relative.as_posix()} & copied):
                    problems.append(f"Dockerfile RUN installs -r {name} before any COPY brings it into the image")
                problems += nested_requirement_problems(REPO / relative)
    return problems


def dockerfile_env(instructions: list[tuple[str, str]]) -> dict:
    env = {}
    for instruction, arguments in instructions:
        if instruction in ("ENV", "ARG"):
            for part in shlex.split(arguments):
                key, _, value = part.partition("=")
                env[key] = value
    return env


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def dockerfile(compose) -> list[tuple[str, str]]:
    paths = {build_dockerfile(service) for service in build_services(compose).values()}
    assert len(paths) == 1, f"the portal's services should share one Dockerfile, found {sorted(map(str, paths))}"
    (path,) = paths
    assert path.is_file(), f"{path} (named by `build:` in docker-compose.yml) does not exist"
    return dockerfile_instructions(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- tests


def test_compose_commands_are_in_exec_form(compose):
    shell_form = [name for name, svc in compose["services"].items() if isinstance(svc.get("command"), str)]
    assert not shell_form, f"write these commands as lists (exec form): {shell_form}"


def test_every_built_service_runs_a_real_entry_point(compose, dockerfile):
    problems = command_problems(compose)
    assert not problems, "docker-compose.yml runs something that does not exist:\n" + "\n".join(problems)


def test_dockerfile_cmd_is_a_real_entry_point(dockerfile):
    argv = dockerfile_default_argv(dockerfile)
    problems = entry_point_problems(argv)
    assert not problems, "Dockerfile CMD:\n" + "\n".join(problems)


def test_exactly_one_celery_beat(compose):
    problems = beat_problems(compose)
    assert not problems, "\n".join(problems)


def test_services_wait_for_migrations_to_succeed(compose):
    problems = migrate_dependency_problems(compose)
    assert not problems, "\n".join(problems)


def test_no_service_turns_debug_on(compose):
    problems = debug_problems(compose)
    assert not problems, "\n".join(problems)


def test_healthcheck_urls_are_portal_urls(compose):
    problems = healthcheck_url_problems(compose)
    assert not problems, "\n".join(problems)


def test_dockerfile_copies_and_installs_existing_files(dockerfile):
    problems = dockerfile_file_problems(dockerfile)
    assert not problems, "\n".join(problems)
    installed = [name for i, a in dockerfile if i == "RUN" for name in requirement_files(a)]
    assert installed, "the Dockerfile installs no requirements file (pip install -r requirements.txt)"
    assert not [name for name in installed if "dev" in Path(name).name], (
        f"the production image must not install development requirements: {installed}"
    )


def test_dockerfile_bakes_in_no_settings(dockerfile):
    env = dockerfile_env(dockerfile)
    baked = sorted({"SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS"} & env.keys())
    assert not baked, f"Dockerfile ENV/ARG must not set {baked}; give build-time values inline on the RUN line"
    assert env.get("DEBUG", "false").lower() == "false", f"Dockerfile sets DEBUG={env['DEBUG']!r}"


def test_the_bounce_maildir_is_mounted_where_bounces_are_read(compose):
    """Issue 11: fetch_bounces runs on the `email` queue; the service that consumes it mounts the
    volume meant for BOUNCE_MAILDIR (/data/bounces), and every service passes the setting on."""
    from django.conf import settings

    queue = settings.CELERY_TASK_ROUTES["reporting.tasks.fetch_bounces"]["queue"]
    readers = [name for name, svc in compose["services"].items()
               if any("--queues=" in part and queue in part.split("=", 1)[1].split(",") for part in svc.get("command") or [])]
    assert readers == ["worker"]
    assert any(str(volume).endswith(":/data/bounces") for volume in compose["services"]["worker"]["volumes"])
    assert "bounces" in compose["volumes"]
    for name in readers:
        assert "BOUNCE_MAILDIR" in compose["services"][name]["environment"]
