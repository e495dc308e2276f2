from __future__ import annotations

from bench.chart import draw, runs_of


def run(answers: list[int]) -> dict:
    return {"timeline": {"t0": 0.0, "answers": answers, "answer_p99_ms": [None if n == 0 else 12.5 for n in answers],
                         "starts": [0] * len(answers)}}


def test_the_chart_has_the_app_its_variants_and_the_bare_server(tmp_path):
    result = {**run([0, 5, 9]), "variants": [{**run([1, 2, 3]), "variant": "OLYMPIAD_ANSWER_FAST_PATH=false"}],
              "bare": run([4, 4, 4])}
    assert [label for label, _ in runs_of(result)] == ["app", "app OLYMPIAD_ANSWER_FAST_PATH=false", "bare server"]
    assert runs_of({"timeline": {"answers": []}}) == []
    out = tmp_path / "chart.png"
    draw(result, out, "test")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
