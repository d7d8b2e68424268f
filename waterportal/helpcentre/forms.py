"""The console's forms for the help: an entry, a new category. Japanese errors that say
what to do (the console is always Japanese)."""

from django import forms

from waterportal.helpcentre.models import HelpCategory


def _text(value: str) -> str:
    # Line ends as one kind, trailing spaces gone: the answer is shown line by line.
    return "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").split("\n")).strip()


class EntryForm(forms.Form):
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label="分類",
        queryset=HelpCategory.objects.none(),
        empty_label=None,
        error_messages={
            "required": "分類を選んでください。",
            "invalid_choice": "分類を選び直してください。",
        },
    )
    question = forms.CharField(
        label="質問",
        max_length=200,
        help_text="住民が読んですぐ分かる、短い問いにします（例: 使用者番号はどこに書いてありますか。）。",
        error_messages={
            "required": "質問を入力してください。",
            "max_length": "質問は200文字以内にしてください。",
        },
    )
    answer = forms.CharField(
        label="回答",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="文章のみ（HTMLは使えません）。改行はそのまま表示されます。",
        error_messages={
            "required": "回答を入力してください。",
            "max_length": "回答は4000文字以内にしてください。",
        },
    )
    keywords = forms.CharField(
        label="検索用の言葉",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="住民が使いそうな言い方や英語を、空白で区切って入力します"
        "（例: 届かない 来ない not received）。ページには表示されません。",
        error_messages={"max_length": "検索用の言葉は1000文字以内にしてください。"},
    )
    is_published = forms.BooleanField(
        label="ヘルプのページに公開する", required=False, initial=True
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = HelpCategory.objects.filter(tenant=tenant)

    def clean_question(self) -> str:
        return " ".join(self.cleaned_data["question"].split())

    def clean_answer(self) -> str:
        return _text(self.cleaned_data["answer"])

    def clean_keywords(self) -> str:
        return " ".join(self.cleaned_data["keywords"].split())


class CategoryForm(forms.Form):
    name = forms.CharField(
        label="新しい分類の名前",
        max_length=60,
        help_text="例: 水道の工事・断水",
        error_messages={
            "required": "分類の名前を入力してください。",
            "max_length": "分類の名前は60文字以内にしてください。",
        },
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())
