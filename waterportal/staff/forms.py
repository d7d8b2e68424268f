import unicodedata

from django import forms


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
