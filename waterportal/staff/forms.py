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


class ImportUploadForm(forms.Form):
    """An exchange-v1 file to import: the file and its kind (the checks of its content
    are the import's, ``exchange.actions.do_upload_import``)."""

    file = forms.FileField(
        label="ファイル",
        help_text="請求システムから書き出した CSV ファイル（UTF-8 または Shift_JIS）を選んでください。",
        error_messages={
            "required": "取り込むファイルを選んでください。",
            "empty": "選んだファイルは空です。中身のある CSV ファイルを選んでください。",
            "invalid": "ファイルを受け取れませんでした。もう一度選んでください。",
            "missing": "ファイルを受け取れませんでした。もう一度選んでください。",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    kind = forms.ChoiceField(
        label="種類",
        choices=[
            ("customers", "使用者台帳"),
            ("bills", "検針・料金"),
            ("payments", "収納"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "ファイルの種類を選んでください。",
            "invalid_choice": "ファイルの種類を、使用者台帳・検針・料金・収納から選んでください。",
        },
    )
