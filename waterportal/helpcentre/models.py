"""A town's help: questions and answers in categories, which its staff edit.

A new town starts from the default set (``defaults``); each default row keeps its
``key`` so that the set can be restored (``actions.do_restore_defaults``) and the
search's quality set can name the entry it expects.
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class HelpCategory(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    # The default categories' key ("signup", "code", ...); "" for one the town added.
    key = models.CharField(max_length=40, blank=True)
    name = models.CharField("分類の名前", max_length=60)
    order = models.PositiveIntegerField("並び順", default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "ヘルプの分類"
        verbose_name_plural = "ヘルプの分類"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key"],
                condition=~models.Q(key=""),
                name="helpcategory_unique_key",
            )
        ]

    def __str__(self) -> str:
        return self.name


class HelpEntry(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        HelpCategory, verbose_name="分類", on_delete=models.CASCADE, related_name="entries"
    )
    # The default entry's key ("code-spam", ...); "" for one the town wrote.
    key = models.CharField(max_length=40, blank=True)
    question = models.CharField("質問", max_length=200)
    answer = models.TextField(
        "回答", help_text="文章のみ（HTMLは使えません）。改行はそのまま表示されます。"
    )
    keywords = models.TextField(
        "検索用の言葉",
        blank=True,
        help_text="住民が使いそうな言い方や英語を、空白か読点で区切って入力します"
        "（例: 届かない 来ない メール not received）。ページには表示されません。",
    )
    order = models.PositiveIntegerField("並び順", default=0)
    is_published = models.BooleanField("公開する", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新した職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新日時")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "よくある質問"
        verbose_name_plural = "よくある質問"
        ordering = ["category__order", "category_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key"], condition=~models.Q(key=""), name="helpentry_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.question


class HelpSearchDay(models.Model):
    """How many questions a town's residents typed on one day, and how many found no
    answer: for staff to see whether the help answers what residents ask. Only counts:
    the questions themselves are never stored (a resident may type a name or address)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日付")
    searches = models.PositiveIntegerField("検索の数", default=0)
    unanswered = models.PositiveIntegerField("答えが見つからなかった数", default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "ヘルプの検索の数"
        verbose_name_plural = "ヘルプの検索の数"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="helpsearchday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.searches}（答えなし {self.unanswered}）"
