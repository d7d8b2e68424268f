"""The inquiry form, the reply form, and the staff's answer form: each error says what
to do next."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waterportal.inquiries.actions import BODY_MAX
from waterportal.inquiries.models import Kind


def _tidy(text: str) -> str:
    """A text as a browser sends it: CRLF as LF, no blank lines around it."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=BODY_MAX,
            widget=forms.Textarea(attrs={"rows": 8}),
            error_messages={
                "required": _("本文を入力してください。"),
                "max_length": _(
                    "本文は4000文字以内で入力してください。長い場合は分けて送ってください。"
                ),
            },
            **kwargs,
        )

    def clean(self, value):
        value = _tidy(value or "")
        return super().clean(value)


class InquiryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=[("", _("選んでください")), *Kind.choices],
        error_messages={
            "required": _("お問い合わせの種類を選んでください。"),
            "invalid_choice": _("お問い合わせの種類を一覧から選んでください。"),
        },
    )
    subject = forms.CharField(
        label=_("件名"),
        max_length=100,
        error_messages={
            "required": _("件名を入力してください（例: 引っ越しの手続きについて）。"),
            "max_length": _("件名は100文字以内で入力してください。"),
        },
    )
    body = BodyField(label=_("本文"))
    customer = forms.TypedChoiceField(
        label=_("契約（任意）"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "選んだ契約は、このアカウントに登録されているご契約ではありません。一覧から選び直してください。"
            )
        },
    )
    field_order = ["kind", "subject", "body", "customer"]

    def __init__(self, *args, contracts=None, **kwargs):
        """``contracts``: the member's customers to choose from; None for a guest (no
        contract field)."""
        super().__init__(*args, **kwargs)
        if contracts is None:
            del self.fields["customer"]
        else:
            self.contracts = {c.pk: c for c in contracts}
            field = self.fields["customer"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [
                ("", _("選ばない")),
                *[(c.pk, _contract_label(c)) for c in contracts],
            ]

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(
                _("件名を入力してください（例: 引っ越しの手続きについて）。")
            )
        return subject

    def contract(self):
        pk = self.cleaned_data.get("customer")
        return self.contracts.get(pk) if pk else None


def _contract_label(customer) -> str:
    if customer.address:
        return f"{customer.masked_number}（{customer.address}）"
    return customer.masked_number


class ReplyForm(forms.Form):
    body = BodyField(label=_("追加で書き込む"))


class AnswerForm(forms.Form):
    """The console's answer (Japanese only, like every console page)."""

    body = forms.CharField(
        label="回答",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="住民にはメールで「回答しました」とお知らせし、回答の本文はポータルで読んでもらいます。",
        error_messages={
            "required": "回答を入力してください。",
            "max_length": f"回答は{BODY_MAX}文字以内にしてください。",
        },
    )

    def clean_body(self) -> str:
        body = _tidy(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError("回答を入力してください。")
        return body
