"""The quality set: residents' questions in their own words find the expected default
entry among the first three answers, for at least 90 % of them."""

from waterportal.helpcentre import defaults
from waterportal.helpcentre.search import answers
from waterportal.testing.helpcentre import documents_of, quality_questions

TARGET = 0.90


def test_the_quality_set_is_large_and_names_real_entries():
    pairs = quality_questions()
    assert len(pairs) >= 60
    assert {key for _, key in pairs} <= set(defaults.BY_KEY)
    assert any(q.isascii() for q, _ in pairs)  # some in English


def test_the_expected_answer_is_in_the_top_three_for_90_percent(tenant, capsys):
    documents = documents_of(tenant)
    pairs = quality_questions()
    misses = []
    for question, key in pairs:
        top = [hit.ref for hit in answers(documents, question)[:3]]
        if key not in top:
            misses.append(f"{question} → {top} (expected {key})")
    found = len(pairs) - len(misses)
    figure = f"top-3: {found}/{len(pairs)} = {100 * found / len(pairs):.1f} %"
    with capsys.disabled():
        print(f"\nhelp centre search quality, {figure}")
    assert found / len(pairs) >= TARGET, figure + "\n" + "\n".join(misses)
