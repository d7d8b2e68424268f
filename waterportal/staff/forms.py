import unicodedata

from django import forms

from waterportal.accounts.forms import PasswordPairMixin
from waterportal.accounts.models import StaffRole, User
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


ROLE_CHOICES = StaffRole.choices


class InviteStaffForm(forms.Form):
    name = forms.CharField(
        label="氏名",
        max_length=100,
        error_messages={
            "required": "氏名を入力してください。",
            "max_length": "氏名は100文字までで入力してください。",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形が正しくありません。例: suido@town.example.jp",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="権限",
        choices=ROLE_CHOICES,
        # The least power by default: 管理者 is chosen, not fallen into.
        initial=StaffRole.VIEWER,
        help_text="管理者: 職員と設定を含むすべて。担当者: 会員・契約・ロック・取り込み・お知らせ。"
        "閲覧者: 見るだけ。",
        error_messages={
            "required": "権限を選んでください。",
            "invalid_choice": "権限は、管理者・担当者・閲覧者から選んでください。",
        },
    )


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="権限",
        choices=ROLE_CHOICES,
        error_messages={
            "required": "権限を選んでください。",
            "invalid_choice": "権限は、管理者・担当者・閲覧者から選んでください。",
        },
    )


class WelcomePasswordForm(PasswordPairMixin):
    """The invitation's first step: the password the new member of staff chooses."""

    def __init__(self, *args, staff: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff

    def password_user(self) -> User:
        return self.staff


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="確認コード",
        max_length=20,
        help_text="認証アプリに表示されている6桁の数字を入力してください。",
        error_messages={
            "required": "確認コードを入力してください。",
            "max_length": "確認コードが長すぎます。6桁の数字を入力してください。",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(
                "確認コードは、認証アプリに表示されている6桁の数字です。もう一度確かめて入力してください。"
            )
        return code


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


REASON_MAX_LENGTH = 500


class ReasonForm(forms.Form):
    """Why a member of staff acts on a member's account or contract: kept in the audit
    log (never sent to the member)."""

    reason = forms.CharField(
        label="理由（必須）",
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
