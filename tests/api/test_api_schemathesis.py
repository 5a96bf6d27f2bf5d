"""Property-based conformance: schemathesis generates requests from /openapi.json; no 5xx, responses match it."""
from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.readmodel import ReadModel
from api.settings import ApiSettings

CASES: dict[str, int] = {}
pytestmark = pytest.mark.xdist_group("schemathesis")  # the count below needs every case in one process


# An in-memory store until the fixture hands over the synced one: collection must not touch a file (xdist
# workers collect at the same time).
APP = create_app(ApiSettings(api_token="schemathesis-token", store_url="sqlite:///:memory:"), store=None)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)  # the schema needs no data


@pytest.fixture(scope="module", autouse=True)
def _loaded(store: Any) -> None:
    """No lifespan under schemathesis: hand the app the synced store and its read model."""
    holder = APP.state.holder
    holder.store, holder.model, holder.store_ok = store, ReadModel.from_store(store), True


@schema.parametrize()
@settings(max_examples=220, deadline=None, suppress_health_check=list(HealthCheck))
def test_conforms_to_openapi(case: Any) -> None:
    CASES[case.operation.label] = CASES.get(case.operation.label, 0) + 1
    case.call_and_validate()


def test_enough_cases_were_generated() -> None:
    """Runs after the generated tests (file order): at least 1,000 requests over every operation."""
    if not CASES:
        pytest.fail("run the whole file: the generated tests did not run first")
    print(f"\nschemathesis: {sum(CASES.values())} generated requests: {CASES}")
    assert sum(CASES.values()) >= 1000, CASES
    assert len(CASES) >= 10, CASES
