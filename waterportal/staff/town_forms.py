"""The town settings form (管理者) and the closed-day form: each error says what to do."""

import datetime as dt
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from waterportal.staff.town_actions import REMOVE_LOGO, SETTINGS_FIELDS
from waterportal.tenants.models import PasswordRule, Tenant
from waterportal.tenants.validators import (
    COLOUR,
    LOGO_MAX_BYTES,
    LOGO_MAX_PIXELS,
    MIN_CONTRAST,
    SLIP_MAX_BYTES,
    SLIP_MAX_PIXELS,
    contrast_with_white,
    invoice_number_problem,
    logo_too_large,
    logo_type,
)

MONTHS = [(m, f"{m}月") for m in range(1, 13)]
DAYS = [(d, f"{d}日") for d in range(1, 32)]
# Longer than this is not a year-end closure but a mistake (and would stall the
# next-business-day rule for weeks).
MAX_CLOSURE_DAYS = 31


def _tidy(value: str) -> str:
    """As typed on a Japanese keyboard: full-width to ASCII, spaces trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _text(label: str, max_length: int, *, required=False, help_text="") -> forms.CharField:
    messages = {"max_length": f"{label}は{max_length}文字以内で入力してください。"}
    if required:
        messages["required"] = f"{label}を入力してください。"
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages=messages,
    )


def _choice(label: str, choices) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        error_messages={"invalid_choice": f"{label}を一覧から選んでください。"},
    )


def closure_days(first: dt.date, last: dt.date) -> int:
    """How many days a closure from ``first`` to ``last`` lasts, across the new year when
    ``last`` comes earlier in the year (both dates of one leap year)."""
    return (last - first).days % 366 + 1


class TownSettingsForm(forms.Form):
    name = _text("自治体名（表示名）", 100, required=True, help_text="例: おうむ町")
    department = _text("担当課", 100, help_text="例: 建設水道課")
    section = _text("担当係", 100, help_text="例: 水道係")
    phone = _text("電話番号", 40, help_text="例: 0120-000-111")
    opening_hours = _text(
        "受付時間", 200, help_text="例: 平日 8:30〜17:15（土日祝日・年末年始を除く）"
    )

    logo = forms.FileField(
        label="ロゴ画像",
        required=False,
        help_text="PNG または JPEG、300KB まで。住民の画面の上部に表示します。",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={
            "invalid": "ロゴ画像を読み取れませんでした。PNG または JPEG の画像を選んでください。",
            "empty": "選んだファイルが空です。PNG または JPEG の画像を選んでください。",
        },
    )
    remove_logo = forms.BooleanField(label="ロゴを削除する", required=False)
    slip_sample = forms.FileField(
        label="検針票の見本画像",
        required=False,
        help_text=f"PNG または JPEG、{SLIP_MAX_BYTES // 1024 // 1024}MB まで。"
        "住民が使用者番号とカナ氏名を入力する画面に表示します。"
        "個人の情報が写っていない見本（記入例）を使ってください。",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        error_messages={
            "invalid": "検針票の見本画像を読み取れませんでした。PNG または JPEG の画像を選んでください。",
            "empty": "選んだファイルが空です。PNG または JPEG の画像を選んでください。",
        },
    )
    remove_slip_sample = forms.BooleanField(
        label="自治体の見本を削除する（ポータルの見本に戻す）", required=False
    )
    accent_colour = forms.CharField(
        label="テーマ色",
        max_length=20,
        help_text="住民の画面の上部とボタンの色。#と6桁の英数字（例: #0b5394）。"
        "白い文字との明るさの差（コントラスト比）が4.5以上必要です。",
        error_messages={"required": "テーマ色を入力してください（例: #0b5394）。"},
    )

    invoice_registration_number = forms.CharField(
        label="適格請求書発行事業者登録番号",
        max_length=30,
        required=False,
        help_text="「T」と13桁の数字。請求書（適格請求書）に印刷します。未登録なら空欄にしてください。",
        error_messages={"max_length": "登録番号は「T」と13桁の数字で入力してください。"},
    )
    has_sewer = forms.BooleanField(
        label="下水道使用料を請求する",
        required=False,
        help_text="請求しない自治体では、住民の画面と請求書に下水道使用料の行を出しません。",
    )

    year_end_closure = forms.BooleanField(label="年末年始に休業する", required=False)
    year_end_start_month = _choice("休業の開始（月）", MONTHS)
    year_end_start_day = _choice("休業の開始（日）", DAYS)
    year_end_end_month = _choice("休業の終了（月）", MONTHS)
    year_end_end_day = _choice("休業の終了（日）", DAYS)

    password_rule = forms.ChoiceField(
        label="住民のパスワードの規則",
        choices=PasswordRule.choices,
        widget=forms.RadioSelect,
        help_text="どちらでも、よく使われるパスワードは使えません。"
        "変更は、これから登録・再設定・変更するパスワードに適用されます。",
        error_messages={"invalid_choice": "パスワードの規則を選んでください。"},
    )
    number_lock_hours = forms.IntegerField(
        label="使用者番号ロックの期間（時間）",
        min_value=1,
        max_value=720,
        help_text="カナ氏名の誤りが続いた使用者番号の登録を止める時間。1〜720時間（30日）。",
        error_messages={
            "required": "ロックの期間を時間で入力してください（1〜720）。",
            "invalid": "ロックの期間は半角の数字で入力してください（1〜720）。",
            "min_value": "ロックの期間は1時間以上にしてください。",
            "max_value": "ロックの期間は720時間（30日）以内にしてください。",
        },
    )

    inquiry_target_days = forms.IntegerField(
        label="回答の目安（営業日）",
        min_value=1,
        max_value=30,
        help_text="お問い合わせに回答するまでの目安。1〜30営業日。"
        "これを過ぎて回答を待っているお問い合わせがあると、毎朝8時30分に管理者へメールします。",
        error_messages={
            "required": "回答の目安を営業日の数で入力してください（1〜30）。",
            "invalid": "回答の目安は半角の数字で入力してください（1〜30）。",
            "min_value": "回答の目安は1営業日以上にしてください。",
            "max_value": "回答の目安は30営業日以内にしてください。",
        },
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        kwargs["initial"] = {field: getattr(tenant, field) for field in SETTINGS_FIELDS}
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_name(self) -> str:
        name = _tidy(self.cleaned_data["name"])
        if not name:
            raise ValidationError("自治体名（表示名）を入力してください。")
        return name

    def clean_accent_colour(self) -> str:
        colour = _tidy(self.cleaned_data["accent_colour"])
        if not COLOUR.fullmatch(colour):
            raise ValidationError("テーマ色は#と6桁の英数字で入力してください（例: #0b5394）。")
        ratio = contrast_with_white(colour)
        if ratio < MIN_CONTRAST:
            raise ValidationError(
                f"この色は白い文字とのコントラスト比が {ratio:.2f}:1 で、"
                f"{MIN_CONTRAST}:1 に足りません。もっと濃い色にしてください。"
            )
        return colour.lower()

    def clean_invoice_registration_number(self) -> str:
        number = _tidy(self.cleaned_data["invoice_registration_number"]).upper()
        number = number.replace("-", "").replace(" ", "")
        if number:
            problem = invoice_number_problem(number)
            if problem:
                raise ValidationError(problem)
        return number

    def _clean_image(
        self, field: str, what: str, max_bytes: int, max_pixels: tuple[int, int]
    ) -> bytes | None:
        """The upload's bytes if it is a PNG or JPEG (read from its content) within the
        limits; ``what`` names the image in the errors."""
        upload = self.cleaned_data.get(field)
        if not upload:
            return None
        if upload.size > max_bytes:
            limit = f"{max_bytes // 1024}KB"
            if max_bytes >= 1024 * 1024:
                limit = f"{max_bytes // 1024 // 1024}MB"
            raise ValidationError(
                f"{what}が大きすぎます（{upload.size // 1024}KB）。"
                f"{limit} 以下に小さくしてから選んでください。"
            )
        content = upload.read()
        if not logo_type(content):
            raise ValidationError(
                f"{what}は PNG または JPEG の画像にしてください（ファイルの中身が画像ではありません）。"
            )
        if logo_too_large(content, max_pixels):
            raise ValidationError(
                f"{what}の縦横が大きすぎます。"
                f"縦横{max_pixels[0]}ピクセル以下に縮めてから選んでください。"
            )
        return content

    def clean_logo(self) -> bytes | None:
        return self._clean_image("logo", "ロゴ画像", LOGO_MAX_BYTES, LOGO_MAX_PIXELS)

    def clean_slip_sample(self) -> bytes | None:
        return self._clean_image("slip_sample", "検針票の見本画像", SLIP_MAX_BYTES, SLIP_MAX_PIXELS)

    def clean(self):
        cleaned = super().clean() or {}
        parts = [
            cleaned.get(f"year_end_{edge}_{unit}")
            for edge in ("start", "end")
            for unit in ("month", "day")
        ]
        if None not in parts:
            start_month, start_day, end_month, end_day = (int(str(p)) for p in parts)
            try:
                # A leap year, so that 2月29日 can be named.
                first = dt.date(2024, start_month, start_day)
                last = dt.date(2024, end_month, end_day)
            except ValueError:
                self.add_error(
                    "year_end_start_day",
                    "休業の開始・終了に、ない日付があります（例: 2月30日）。日付を選び直してください。",
                )
            else:
                too_long = closure_days(first, last) > MAX_CLOSURE_DAYS
                if cleaned.get("year_end_closure") and too_long:
                    self.add_error(
                        "year_end_end_day",
                        f"年末年始の休業は{MAX_CLOSURE_DAYS}日以内にしてください。"
                        "開始と終了を確かめてください。",
                    )
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error(
                "remove_logo", "新しいロゴを選んだときは「ロゴを削除する」を外してください。"
            )
        if cleaned.get("slip_sample") and cleaned.get("remove_slip_sample"):
            self.add_error(
                "remove_slip_sample",
                "新しい見本を選んだときは「自治体の見本を削除する」を外してください。",
            )
        return cleaned

    def changes(self) -> dict:
        """What to hand to ``do_change_tenant_settings``."""
        images = ("logo", "slip_sample")
        data = {
            f: v
            for f, v in self.cleaned_data.items()
            if f not in images and f.removeprefix("remove_") not in images
        }
        for image in images:
            if self.cleaned_data.get(image):
                data[image] = self.cleaned_data[image]
            elif self.cleaned_data.get(f"remove_{image}"):
                data[image] = REMOVE_LOGO
        return data


class ClosedDayForm(forms.Form):
    date = forms.DateField(
        label="休業日",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="土日・祝日・年末年始のほかに、窓口が休みの日。",
        error_messages={
            "required": "休業日の日付を入力してください。",
            "invalid": "休業日は日付で入力してください（例: 2027-02-01）。",
        },
    )
    reason = _text("理由", 100, help_text="例: 庁舎の停電（住民には表示しません）")
