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


REASON_MAX_LENGTH = 500


class ReasonForm(forms.Form):
    """Why a member of staff acts on a member's account or contract: kept in the audit
    log (never sent to the member)."""

    reason = forms.CharField(
        label="理由",
        max_length=REASON_MAX_LENGTH,
        help_text="記録に残ります（会員へのメールには載りません）。"
        f"{REASON_MAX_LENGTH}文字まで。例: 本人から電話で依頼（受付番号 123）",
        error_messages={
            "required": "理由を入力してください。何も変更していません。",
            "max_length": f"理由は{REASON_MAX_LENGTH}文字までで入力してください"
            "（いま %(show_value)d 文字）。何も変更していません。",
        },
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
    )
    # The session generation the page showed (すべての端末からログアウトさせる only), so
    # that a second click does not do it twice.
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
