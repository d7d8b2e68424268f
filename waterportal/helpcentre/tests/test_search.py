"""The search's folding, cutting and ranking, as pure functions."""

from waterportal.helpcentre.search import Document, answers, canonical, normalize, rank, tokens


def test_it_folds_width_katakana_and_capitals():
    assert normalize("ﾊﾟｽﾜｰﾄﾞ") == normalize("パスワード") == normalize("ぱすわーど") == "ぱすわーど"
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("ｶﾅｼﾒｲ") == "かなしめい"


def test_synonyms_become_one_word_in_any_script():
    assert canonical("暗証番号").strip() == canonical("password").strip() == "ぱすわーど"
    assert canonical("ﾊﾟｽﾜｰﾄﾞ").strip() == "ぱすわーど"
    assert "引っ越し" in canonical("転居します") and "引っ越し" in canonical("ひっこし")
    assert "届かない" in canonical("メールが来ない")


def test_japanese_is_cut_into_bigrams_within_a_word_and_latin_into_words():
    assert tokens("水道料金") == ["水道", "道料", "料金"]
    assert tokens("I forgot my password") == ["忘れ", "ぱす", "すわ", "わー", "ーど"]
    assert tokens("leak") == ["漏水"]


def test_particles_between_words_make_no_bigram():
    terms = tokens("水道課の電話")
    assert "課の" not in terms and "の電" not in terms
    assert {"水道", "道課", "電話"} <= set(terms)


def test_a_kanji_with_its_kana_ending_is_one_term_and_a_lone_kanji_stands_for_itself():
    assert "届か" in tokens("届かない")
    assert tokens("犬") == ["犬"]


def test_grammar_words_are_no_terms():
    assert tokens("ですか") == [] and tokens("してください") == []


DOCUMENTS = [
    Document("spam", "迷惑メールフォルダを確かめてください", "スパム spam"),
    Document("move", "引っ越しのときの手続き", "転居 moving"),
    Document("pay", "支払い方法", "口座振替 納付書", "引っ越しの後も口座振替は続きます"),
]


def test_the_entry_about_the_question_ranks_first():
    assert rank(DOCUMENTS, "転居するので手続きしたい")[0].ref == "move"
    assert rank(DOCUMENTS, "ｽﾊﾟﾑに入ってるかも")[0].ref == "spam"
    assert rank(DOCUMENTS, "How do I pay?")[0].ref == "pay"


def test_a_word_in_the_question_counts_more_than_in_the_answer():
    hits = rank(DOCUMENTS, "引っ越し")
    assert [h.ref for h in hits] == ["move", "pay"]


def test_a_question_about_something_else_gets_no_answer():
    assert answers(DOCUMENTS, "今日の天気は") == []
    assert answers(DOCUMENTS, "") == [] and answers([], "引っ越し") == []
