import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from dph_webhooks import VerificationError, verify  # noqa: E402

VECTORS = json.loads(
    (pathlib.Path(__file__).resolve().parents[3] / "libs/webhooks/test-vectors/vectors.json").read_text("utf-8")
)


def test_vector_file_is_substantial():
    assert len(VECTORS["cases"]) >= 30


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vector(case):
    def run():
        return verify(case["headers"], case["body"].encode("utf-8"), case["secrets"], now=case["now"],
                      tolerance=VECTORS["tolerance_seconds"], scheme=case["scheme"])

    if case["expected"]["valid"]:
        assert run().id == case["expected"]["id"]
    else:
        with pytest.raises(VerificationError) as exc:
            run()
        assert exc.value.reason == case["expected"]["reason"]


def test_header_names_are_case_insensitive():
    case = next(c for c in VECTORS["cases"] if c["name"] == "standard: valid")
    upper = {k.upper(): v for k, v in case["headers"].items()}
    assert verify(upper, case["body"], case["secrets"], now=case["now"]).scheme == "standard"
