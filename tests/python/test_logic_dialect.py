"""apply_logic's dialect argument and the evaluation budget, through the Python binding."""
import pytest


def test_core_dialect(prescreen):
    assert prescreen.apply_logic({"/": [8, 2, 2]}) == 4  # json-logic-js: the first two arguments
    assert prescreen.apply_logic({"/": [8, 2, 2]}, dialect="core") == 2
    assert prescreen.apply_logic({"<": [1, 2, 3, 4]}, dialect="core") is True
    assert prescreen.apply_logic({"try": [{"/": [1, 0]}, {"val": "type"}]}, dialect="core") == "NaN"
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.apply_logic({"+": ["Hey", 1]}, dialect="core")
    assert e.value.diagnostics[0].code == "not_a_number"
    assert e.value.diagnostics[0].path == ""


def test_unknown_dialect(prescreen):
    with pytest.raises(prescreen.UsageError) as e:
        prescreen.apply_logic({"+": [1, 2]}, dialect="jsonlogic")
    assert e.value.code == "unknown_dialect"


def test_budget(prescreen):
    rule = {"reduce": [{"var": "a"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}
    with pytest.raises(prescreen.ProtocolError) as e:
        prescreen.apply_logic(rule, {"a": list(range(60))})
    assert e.value.diagnostics[0].code == "evaluation_budget_exceeded"
    assert e.value.diagnostics[0].path == ""
