import unicodedata

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waterportal.accounts.models import User
from waterportal.accounts.passwords import MAX_LENGTH
from waterportal.contracts.models import Relationship
from waterportal.lib.kana import customer_number_key, is_kana_name
from waterportal.tenants.models import Tenant


# Labels and messages are lazy: a form class is built once, and each request shows them in
# its own language (Japanese unless the resident chose English).
def _required(message) -> dict:
    return {"required": message}


class ResidentEmailField(forms.EmailField):
    """An address as residents type it, read before it is checked.

    A Japanese keyboard left in full-width mode gives ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ, and
    phones add capitals and stray (full-width) spaces; NFKC turns them into the address
    meant. This must happen in ``to_python``: Django validates the address between it
    and ``clean_<field>``, so a form's ``clean_email`` would come too late for 「＠」.
    """

    def to_python(self, value):
        return unicodedata.normalize("NFKC", super().to_python(value) or "").strip().lower()


class EmailForm(forms.Form):
    email = ResidentEmailField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages=_required(_("メールアドレスを入力してください。"))
        | {
            "invalid": _(
                "メールアドレスの形が正しくありません。「@」の前後を確認してください（例: taro@example.jp）。"
            )
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("認証コード"),
        max_length=20,
        error_messages=_required(_("認証コードを入力してください。")),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9０-９ ]*",
            }
        ),
    )

    def clean_code(self):
        code = unicodedata.normalize("NFKC", self.cleaned_data["code"]).replace(" ", "")
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ValidationError(
                gettext(
                    "認証コードはメールに書かれた6桁の数字です。もう一度確かめて入力してください。"
                )
            )
        return code


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("パスワード"),
        strip=False,
        error_messages=_required(_("パスワードを入力してください。")),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("パスワード（確認のためもう一度）"),
        strip=False,
        error_messages=_required(_("確認用のパスワードを入力してください。")),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2",
                gettext("確認用のパスワードが一致しません。同じパスワードを2回入力してください。"),
            )
        elif p1:
            try:
                password_validation.validate_password(p1, self.password_user())
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(PasswordPairMixin):
    name = forms.CharField(
        label=_("お名前"),
        max_length=100,
        error_messages=_required(_("お名前を入力してください。"))
        | {"max_length": _("お名前は100文字以内で入力してください。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["name", "password1", "password2"]

    def __init__(self, *args, tenant: Tenant, email, has_password=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.email = tenant, email
        if has_password:
            # Going back keeps the password entered before; type one only to change it.
            for name in ("password1", "password2"):
                self.fields[name].required = False

    def password_user(self) -> User:
        return User(tenant=self.tenant, email=self.email, name=self.cleaned_data.get("name", ""))


class ContractNumberForm(forms.Form):
    """使用者番号 and カナ氏名 as on the 検針票: registration step 6 and adding a contract."""

    number = forms.CharField(
        label=_("使用者番号"),
        max_length=30,
        error_messages=_required(_("使用者番号を入力してください。"))
        | {"max_length": _("使用者番号は30文字以内です。検針票を確かめてください。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kana = forms.CharField(
        label=_("カナ氏名"),
        max_length=100,
        error_messages=_required(_("カナ氏名を入力してください。"))
        | {"max_length": _("カナ氏名は100文字以内で入力してください。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_number(self):
        number = self.cleaned_data["number"]
        if not customer_number_key(number):
            raise ValidationError(
                gettext(
                    "使用者番号は数字で入力してください（ハイフンはあってもなくてもかまいません）。"
                )
            )
        return number

    def clean_kana(self):
        kana = self.cleaned_data["kana"]
        if not is_kana_name(kana):
            raise ValidationError(
                gettext("カナ氏名はカタカナ（ひらがなも可）で、検針票のとおりに入力してください。")
            )
        return kana


class ContractForm(ContractNumberForm):
    """Registration step 6: the pair, and 利用規約 「同意する」."""

    agree = forms.BooleanField(
        label=_("同意する"),
        error_messages={
            "required": _("利用規約をお読みいただき、「同意する」にチェックを入れてください。")
        },
    )


RELATIONSHIP_ERRORS = {
    "required": _("申込者と契約者の関係を選んでください。"),
    "invalid_choice": _("申込者と契約者の関係を一覧から選んでください。"),
}


class RelationshipForm(forms.Form):
    relationship = forms.ChoiceField(
        label=_("申込者と契約者の関係"),
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages=RELATIONSHIP_ERRORS,
    )


class PrivacyForm(RelationshipForm):
    agree = forms.BooleanField(
        label=_("同意する"),
        error_messages={
            "required": _(
                "個人情報の取り扱いをお読みいただき、「同意する」にチェックを入れてください。"
            )
        },
    )
    field_order = ["agree", "relationship"]


class LoginForm(forms.Form):
    email = forms.CharField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages=_required(_("メールアドレスを入力してください。"))
        | {"max_length": _("メールアドレスが長すぎます。")},
        widget=forms.EmailInput(
            attrs={"autocomplete": "username", "inputmode": "email", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("パスワード"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        error_messages=_required(_("パスワードを入力してください。"))
        | {"max_length": _("パスワードが長すぎます。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self):
        return unicodedata.normalize("NFKC", self.cleaned_data["email"]).strip().lower()


class ResetPasswordForm(CodeForm, PasswordPairMixin):
    field_order = ["code", "password1", "password2"]

    def __init__(self, *args, member=None, tenant: Tenant | None = None, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.member, self.tenant, self.email = member, tenant, email

    def password_user(self) -> User:
        return self.member or User(tenant=self.tenant, email=self.email)


# The account pages of a signed-in member.


class CurrentPasswordMixin(forms.Form):
    """The member's current password, asked again before a change that matters.

    The view checks it (and counts a wrong one towards the login limit).
    """

    current_password = forms.CharField(
        label=_("今のパスワード"),
        max_length=MAX_LENGTH * 4,
        strip=False,
        error_messages=_required(_("今のパスワードを入力してください。"))
        | {"max_length": _("パスワードが長すぎます。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EmailChangeForm(EmailForm, CurrentPasswordMixin):
    field_order = ["email", "current_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("新しいメールアドレス")
        self.fields["email"].error_messages["required"] = _(
            "新しいメールアドレスを入力してください。"
        )


class PasswordChangeForm(CurrentPasswordMixin, PasswordPairMixin):
    field_order = ["current_password", "password1", "password2"]

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["password1"].label = _("新しいパスワード")
        self.fields["password2"].label = _("新しいパスワード（確認のためもう一度）")

    def password_user(self) -> User:
        return self.member


class NotificationsForm(forms.Form):
    notify_new_bill = forms.BooleanField(label=_("新しい請求のお知らせメール"), required=False)
    notify_notices = forms.BooleanField(label=_("重要なお知らせのメール"), required=False)


class WithdrawForm(CurrentPasswordMixin):
    confirm = forms.BooleanField(
        label=_("上の説明を読み、退会します"),
        error_messages={
            "required": _("説明をお読みいただき、「退会します」にチェックを入れてください。")
        },
    )
