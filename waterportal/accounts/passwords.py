"""Password rules, each error naming the rule that was broken.

Each town chooses its residents' rule (``Tenant.password_rule``): the town's guide, 8
characters or more with upper case, lower case and a digit (the default); or length
only, 15 characters or more of any kind, which current guidance (NIST SP 800-63B)
prefers. Staff and the operator always follow the guide's rule. Beyond it, always: at
most 64 characters (any kind, Japanese included), not a common password, and not built
from the municipality's name or the address's local part.
"""

from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommon
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from waterportal.accounts.models import AccountKind
from waterportal.lib.kana import kana_key
from waterportal.tenants.models import PasswordRule, Tenant

MIN_LENGTH = 8
LENGTH_ONLY_MIN_LENGTH = 15
MAX_LENGTH = 64


def rule_for(user) -> str:
    """The rule ``user``'s password follows: their town's for a resident, else the guide's."""
    tenant = getattr(user, "tenant", None) if user is not None else None
    if tenant is None or getattr(user, "kind", AccountKind.MEMBER) != AccountKind.MEMBER:
        return PasswordRule.GUIDE
    return tenant.password_rule


def min_length(rule: str) -> int:
    return LENGTH_ONLY_MIN_LENGTH if rule == PasswordRule.LENGTH else MIN_LENGTH


def _length_rule(rule: str = PasswordRule.GUIDE) -> str:
    return gettext("%(min)d文字以上（%(max)d文字まで）") % {
        "min": min_length(rule),
        "max": MAX_LENGTH,
    }


_CLASSES_RULE = _("大文字（A〜Z）・小文字（a〜z）・数字（0〜9）をそれぞれ1文字以上")
_ANY_KIND_RULE = _(
    "文字の種類は問いません（長い文を区切りなくつなげたものなどが覚えやすく安全です）"
)
_COMMON_RULE = _(
    "「Password1」のようによく使われるもの、メールアドレスや自治体名を含むものは使えません"
)

# Lazy: shown in the language of the page that lists them. The guide's rule.
RULES_TEXT = [lazy(_length_rule, str)(), _CLASSES_RULE, _COMMON_RULE]


def rules_text(tenant: Tenant | None) -> list:
    """The rules a resident of ``tenant`` is shown beside the password fields."""
    rule = tenant.password_rule if tenant is not None else PasswordRule.GUIDE
    if rule == PasswordRule.LENGTH:
        return [lazy(_length_rule, str)(rule), _ANY_KIND_RULE, _COMMON_RULE]
    return RULES_TEXT


class LengthValidator:
    def validate(self, password, user=None):
        minimum = min_length(rule_for(user))
        if len(password) < minimum:
            raise ValidationError(
                gettext(
                    "パスワードが短すぎます。%(min)d文字以上にしてください（今は%(length)d文字です）。"
                )
                % {"min": minimum, "length": len(password)},
                code="password_too_short",
            )
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                gettext("パスワードが長すぎます。%(max)d文字以内にしてください。")
                % {"max": MAX_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self):
        return RULES_TEXT[0]


class CharacterClassValidator:
    """The guide's upper case, lower case and digit; not asked under the length-only rule."""

    def validate(self, password, user=None):
        if rule_for(user) == PasswordRule.LENGTH:
            return
        missing = []
        if not any(c.isupper() for c in password):
            missing.append(gettext("大文字（A〜Z）"))
        if not any(c.islower() for c in password):
            missing.append(gettext("小文字（a〜z）"))
        if not any(c.isdigit() for c in password):
            missing.append(gettext("数字（0〜9）"))
        if missing:
            separator = pgettext("between the kinds of character a password lacks", "・")
            raise ValidationError(
                gettext("パスワードに%(missing)sを含めてください。")
                % {"missing": separator.join(missing)},
                code="password_missing_class",
            )

    def get_help_text(self):
        return RULES_TEXT[1]


class CommonPasswordValidator(DjangoCommon):
    """Django's list of 20,000 common passwords, compared case-insensitively."""

    def validate(self, password, user=None):
        if password.lower().strip() in self.passwords:
            raise ValidationError(
                gettext(
                    "このパスワードはよく使われていて、他人に推測されやすいため使えません。別のパスワードにしてください。"
                ),
                code="password_too_common",
            )

    def get_help_text(self):
        return RULES_TEXT[2]


EMAIL, TOWN = "email", "town"


def _fragments(user) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    email = getattr(user, "email", "") or ""
    local = email.split("@")[0]
    if len(local) >= 4:
        parts.append((local, EMAIL))
    tenant = getattr(user, "tenant", None)
    if tenant is not None:
        for value in (tenant.slug, tenant.name, tenant.name.removesuffix("町").removesuffix("市")):
            if value and len(value) >= 3:
                parts.append((value, TOWN))
    return parts


def _too_similar(what: str) -> str:
    if what == EMAIL:
        return gettext(
            "パスワードにメールアドレスと同じ文字列が含まれています。推測されにくいものにしてください。"
        )
    return gettext(
        "パスワードに自治体名と同じ文字列が含まれています。推測されにくいものにしてください。"
    )


class PersonalInfoValidator:
    """Refuse passwords that contain the address's local part or the municipality's name."""

    def validate(self, password, user=None):
        lowered = password.lower()
        folded = kana_key(password)
        for fragment, what in _fragments(user):
            if fragment.lower() in lowered or (kana_key(fragment) and kana_key(fragment) in folded):
                raise ValidationError(_too_similar(what), code="password_too_similar")

    def get_help_text(self):
        return RULES_TEXT[2]
