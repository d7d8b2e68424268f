"""The console's form for a notice (the staff console shows it; the rules are here)."""

from django import forms
from django.utils import timezone

from waterportal.notices import targeting
from waterportal.notices.actions import NoticeFields
from waterportal.notices.models import Notice, NoticeCategory
from waterportal.tenants.models import Tenant

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class NoticeForm(forms.Form):
    """A notice as staff type it. ``targets`` (cleaned): the ids of the contracts chosen,
    or None when none were given (on an edit: keep those chosen before)."""

    TARGET_BY = [
        ("numbers", "使用者番号の一覧（貼り付け）"),
        ("csv", "使用者番号のCSVファイル"),
        ("prefix", "給水場所の始めの文字"),
    ]

    title = forms.CharField(
        label="タイトル",
        max_length=100,
        error_messages={
            "required": "タイトルを入力してください。",
            "max_length": "タイトルは100文字までにしてください。",
        },
    )
    body = forms.CharField(
        label="本文",
        max_length=10_000,
        help_text="文章だけを入力します（HTMLは使えません）。https:// で始まるアドレスは自動でリンクになります。",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": "本文を入力してください。",
            "max_length": "本文は10,000文字までにしてください。",
        },
    )
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label="分類",
        queryset=NoticeCategory.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "分類を選び直してください。"},
    )
    important = forms.BooleanField(
        label="重要（会員にメールでもお知らせします）",
        required=False,
    )
    audience = forms.ChoiceField(
        label="対象",
        choices=Notice.Audience.choices,
        widget=forms.RadioSelect,
        initial=Notice.Audience.MEMBERS,
        error_messages={"required": "対象を選んでください。"},
    )
    target_by = forms.ChoiceField(
        label="対象の契約の選び方",
        choices=TARGET_BY,
        widget=forms.RadioSelect,
        initial="numbers",
        required=False,
    )
    numbers = forms.CharField(
        label="使用者番号（1行に1つ、またはカンマ区切り）",
        required=False,
        max_length=2_000_000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    csv_file = forms.FileField(
        label="使用者番号のCSVファイル（1列目が使用者番号）",
        required=False,
    )
    address_prefix = forms.CharField(
        label="給水場所の始めの文字（例: おうむ町本町1丁目）",
        required=False,
        max_length=200,
    )
    starts_at = forms.DateTimeField(
        label="公開開始",
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=DateTimeLocal(),
        help_text="この日時から表示します。先の日時にすると予約になります。",
        error_messages={
            "required": "公開開始の日時を入力してください。",
            "invalid": "公開開始の日時を正しく入力してください（例: 2026-12-01 09:00）。",
        },
    )
    ends_at = forms.DateTimeField(
        label="公開終了（なくても構いません）",
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=DateTimeLocal(),
        help_text="この日時に表示を終えます。空欄なら、取り下げるまで表示します。",
        error_messages={
            "invalid": "公開終了の日時を正しく入力してください（例: 2026-12-10 17:00）。"
        },
    )

    def __init__(self, *args, tenant: Tenant, editing: Notice | None = None, **kwargs):
        if editing is None:
            kwargs.setdefault("initial", {})
            kwargs["initial"].setdefault(
                "starts_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.editing = editing
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = NoticeCategory.objects.filter(tenant=tenant)

    def clean(self):
        data = self.cleaned_data
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "公開終了は、公開開始より後の日時にしてください。")
        data["targets"] = None
        if data.get("audience") == Notice.Audience.CONTRACTS:
            self._choose_targets(data)
        return data

    def _choose_targets(self, data) -> None:
        by = data.get("target_by") or "numbers"
        try:
            if by == "prefix":
                if data.get("address_prefix") or self.editing is None:
                    data["targets"] = targeting.by_address_prefix(
                        self.tenant, data.get("address_prefix", "")
                    )
                return
            if by == "csv":
                upload = data.get("csv_file")
                if upload is None:
                    if self.editing is None:
                        raise targeting.TargetError("使用者番号のCSVファイルを選んでください。")
                    return
                numbers = targeting.numbers_in_csv(upload.read(targeting.MAX_CSV_BYTES + 1))
            else:
                numbers = targeting.numbers_in_text(data.get("numbers", ""))
                if not numbers and self.editing is not None:
                    return  # keep the contracts chosen before
            data["targets"] = targeting.by_numbers(self.tenant, numbers)
        except targeting.TargetError as error:
            field = {"prefix": "address_prefix", "csv": "csv_file"}.get(by, "numbers")
            for message in error.messages:
                self.add_error(field, message)

    def notice_fields(self) -> NoticeFields:
        data = self.cleaned_data
        return NoticeFields(
            title=data["title"].strip(),
            body=data["body"].strip(),
            category=data["category"],
            important=data["important"],
            audience=data["audience"],
            starts_at=data["starts_at"],
            ends_at=data.get("ends_at"),
        )

    @classmethod
    def initial_for(cls, notice: Notice) -> dict:
        return {
            "title": notice.title,
            "body": notice.body,
            "category": notice.category_id,
            "important": notice.important,
            "audience": notice.audience,
            "starts_at": timezone.localtime(notice.starts_at),
            "ends_at": timezone.localtime(notice.ends_at) if notice.ends_at else None,
        }


class CategoryForm(forms.Form):
    name = forms.CharField(
        label="新しい分類の名前",
        max_length=30,
        error_messages={
            "required": "分類の名前を入力してください。",
            "max_length": "分類の名前は30文字までにしてください。",
        },
    )
