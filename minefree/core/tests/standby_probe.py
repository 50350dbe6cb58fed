"""Run in a subprocess by test_standby.py against a real primary and streaming standby.

Settings come from the environment (DATABASE_URL, MINEFREE_STANDBY_URL); the arguments
name the pair's directory and ports so that replay can be paused and resumed. Prints one
JSON object: what each request answered and which database rendered it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from deploy.servers import PostgresPair  # noqa: E402
from minefree.core.audit import SYSTEM, bump_versions, service  # noqa: E402


@service
def change_shared_data(*, actor: object) -> None:
    bump_versions([""])


def main() -> None:
    directory, primary_port, standby_port = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    pair = PostgresPair(directory, primary_port, standby_port)
    call_command("migrate", "core", verbosity=0)
    change_shared_data(actor=SYSTEM)
    pair.wait_replayed()
    client = Client()
    seen: dict[str, object] = {}

    def ask(name: str) -> None:
        response = client.get("/which-database/")
        seen[name] = [response.status_code, response.content.decode(), response["X-Page-Cache"]]

    with override_settings(ROOT_URLCONF="minefree.core.tests.urls_standby"):
        ask("caught_up")
        ask("caught_up_again")
        pair.pause_replay()
        change_shared_data(actor=SYSTEM)
        ask("standby_lags")
        pair.resume_replay()
        change_shared_data(actor=SYSTEM)
        pair.wait_replayed()
        ask("caught_up_after_change")
        pair.standby.stop()
        change_shared_data(actor=SYSTEM)
        ask("standby_stopped")
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
