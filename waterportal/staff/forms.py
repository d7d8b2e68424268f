import unicodedata

from django import forms

from waterportal.tenants.models import TextKind


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="確認コード",
        max_length=40,
        help_text="認証アプリに表示されている6桁の数字を入力してください。"
        "認証アプリを使えないときは、リカバリーコードを入力できます。",
        error_messages={
            "required": "確認コードを入力してください。",
            "max_length": "確認コードが長すぎます。6桁の数字を入力してください。",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data["code"]).strip()


class TextVersionForm(forms.Form):
    """A new version of the 利用規約 or the 個人情報の取り扱い (the rules on what may be
    published are the action's: ``accounts.actions.check_text_version``)."""

    kind = forms.ChoiceField(
        label="種類",
        choices=TextKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "利用規約か個人情報の取り扱いかを選んでください。"},
    )
    label = forms.CharField(
        label="版の名前",
        max_length=40,
        help_text="会員に表示されます。例: 2026年12月版",
        error_messages={
            "required": "版の名前を入力してください（例: 2026年12月版）。",
            "max_length": "版の名前は40文字以内にしてください。",
        },
    )
    text = forms.CharField(
        label="本文",
        strip=False,
        help_text="公開すると、会員は次にログインしたときにこの本文を読んで同意します。",
        error_messages={"required": "本文を入力してください。空の本文は公開できません。"},
        widget=forms.Textarea(attrs={"rows": 20}),
    )
