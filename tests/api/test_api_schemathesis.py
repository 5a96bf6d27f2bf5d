"""Property-based conformance: schemathesis generates requests from /openapi.json; no 5xx, responses match it."""
from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from kbsync.settings import Settings
from kbsync.view.readmodel import ReadModel

CASES: dict[str, int] = {}


# An in-memory store until the fixture hands over the synced one: collection must not touch a file (xdist
# workers collect at the same time).
APP = create_app(Settings(api_token="schemathesis-token", store_url="sqlite:///:memory:"), store=None)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)  # the schema needs no data


@pytest.fixture(scope="module", autouse=True)
def _loaded(store: Any) -> None:
    """No lifespan under schemathesis: hand the app the synced store and its read model."""
    holder = APP.state.holder
    holder.store, holder.model, holder.store_ok = store, ReadModel.from_store(store), True


def test_conforms_to_openapi() -> None:
    """Every operation, ≥ 1,000 generated requests in all: no 5xx, every response valid against the schema.

    One test drives hypothesis per operation itself (rather than `schema.parametrize()`, whose items share a
    node id), so it runs whole under pytest-xdist too.
    """
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=220, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  phases=[Phase.explicit, Phase.generate])
        def run(case: Any) -> None:
            CASES[case.operation.label] = CASES.get(case.operation.label, 0) + 1
            # a DQL text the schema allows may still not parse: its 422 is the documented answer, not a rejection
            skip = [positive_data_acceptance] if case.operation.path == "/api/query" else []
            case.call_and_validate(excluded_checks=skip)

        try:
            run()
        except Exception as e:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {e}")
    print(f"\nschemathesis: {sum(CASES.values())} generated requests: {CASES}")
    assert not failures, "\n\n".join(failures)
    assert sum(CASES.values()) >= 1000, CASES
    assert len(CASES) >= 10, CASES
