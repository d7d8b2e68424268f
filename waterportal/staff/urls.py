from django.urls import path

from waterportal.staff.views import (
    accounts,
    audit,
    help,
    home,
    imports,
    inquiries,
    locks,
    login,
    member_actions,
    members,
    notices,
    settings,
    statistics,
    texts,
    welcome,
)

app_name = "staff"

urlpatterns = [
    path("staff/login", login.staff_login, name="login"),
    path("staff/login/code", login.staff_login_code, name="login_code"),
    path("staff/logout", login.staff_logout, name="logout"),
    path("staff/session/keepalive", login.staff_keepalive, name="session_keepalive"),
    path("staff/", home.home, name="home"),
    path("staff/members", members.members, name="members"),
    path("staff/members/<int:member_id>", members.member, name="member"),
    path(
        "staff/members/<int:member_id>/links/<int:link_id>/revoke",
        member_actions.revoke_link,
        name="member_revoke_link",
    ),
    path(
        "staff/members/<int:member_id>/links/<int:link_id>/activate",
        member_actions.activate_link,
        name="member_activate_link",
    ),
    path("staff/members/<int:member_id>/lock", member_actions.lock_member, name="member_lock"),
    path(
        "staff/members/<int:member_id>/unlock", member_actions.unlock_member, name="member_unlock"
    ),
    path(
        "staff/members/<int:member_id>/sessions/end",
        member_actions.end_sessions,
        name="member_end_sessions",
    ),
    path("staff/locks", locks.locks, name="locks"),
    path("staff/locks/<int:lock_id>/unlock", locks.unlock, name="unlock"),
    path("staff/statistics", statistics.statistics, name="statistics"),
    path("staff/statistics.csv", statistics.all_csv, name="statistics_csv"),
    path("staff/statistics/<slug:series>.csv", statistics.series_csv, name="series_csv"),
    path("staff/staff", accounts.staff_accounts, name="staff_accounts"),
    path("staff/staff/<int:staff_id>", accounts.staff_account, name="staff_account"),
    path("staff/staff/<int:staff_id>/role", accounts.change_role, name="staff_change_role"),
    path("staff/staff/<int:staff_id>/disable", accounts.disable, name="staff_disable"),
    path("staff/staff/<int:staff_id>/enable", accounts.enable, name="staff_enable"),
    path(
        "staff/staff/<int:staff_id>/reset-second-factor",
        accounts.reset_second_factor,
        name="staff_reset_second_factor",
    ),
    path(
        "staff/staff/<int:staff_id>/resend-invitation",
        accounts.resend_invitation,
        name="staff_resend_invitation",
    ),
    path(
        "staff/staff/<int:staff_id>/unlock-login", accounts.unlock_login, name="staff_unlock_login"
    ),
    path("staff/welcome/done", welcome.welcome_done, name="welcome_done"),
    path("staff/welcome/<str:value>", welcome.welcome, name="welcome"),
    path(
        "staff/welcome/<str:value>/authenticator",
        welcome.welcome_authenticator,
        name="welcome_authenticator",
    ),
    path("staff/settings/texts", texts.texts, name="texts"),
    path("staff/settings/texts/publish", texts.publish, name="texts_publish"),
    path("staff/settings", settings.settings, name="settings"),
    path("staff/settings/closed-days", settings.add_closed_day, name="add_closed_day"),
    path(
        "staff/settings/closed-days/<int:day_id>/remove",
        settings.remove_closed_day,
        name="remove_closed_day",
    ),
    path("staff/publish", settings.publish, name="publish"),
    path("staff/audit", audit.audit_log, name="audit"),
    path("staff/audit.csv", audit.audit_log_csv, name="audit_csv"),
    path("staff/imports", imports.imports, name="imports"),
    path("staff/imports/upload", imports.upload, name="import_upload"),
    path("staff/imports/<int:run_id>", imports.import_run, name="import"),
    path("staff/imports/<int:run_id>/status", imports.import_status, name="import_status"),
    # Inquiries (お問い合わせ)
    path("staff/inquiries", inquiries.inbox, name="inquiries"),
    path("staff/inquiries/<int:inquiry_id>", inquiries.inquiry, name="inquiry"),
    path("staff/inquiries/<int:inquiry_id>/assign", inquiries.assign, name="inquiry_assign"),
    path("staff/inquiries/<int:inquiry_id>/answer", inquiries.answer, name="inquiry_answer"),
    path("staff/inquiries/<int:inquiry_id>/status", inquiries.set_status, name="inquiry_status"),
    path("staff/inquiries/<int:inquiry_id>/close", inquiries.close, name="inquiry_close"),
    # Notices (お知らせ)
    path("staff/notices", notices.notices, name="notices"),
    path("staff/notices/new", notices.notice_new, name="notice_new"),
    path("staff/notices/categories", notices.notice_categories, name="notice_categories"),
    path("staff/notices/<int:notice_id>", notices.notice, name="notice"),
    path("staff/notices/<int:notice_id>/edit", notices.notice_edit, name="notice_edit"),
    path("staff/notices/<int:notice_id>/publish", notices.notice_publish, name="notice_publish"),
    path("staff/notices/<int:notice_id>/withdraw", notices.notice_withdraw, name="notice_withdraw"),
]

# The help centre (よくある質問).
urlpatterns += [
    path("staff/help", help.help_entries, name="help"),
    path("staff/help/new", help.help_new, name="help_new"),
    path("staff/help/<int:entry_id>", help.help_edit, name="help_edit"),
    path("staff/help/<int:entry_id>/delete", help.help_delete, name="help_delete"),
    path("staff/help/<int:entry_id>/move", help.help_move, name="help_move"),
    path("staff/help/<int:entry_id>/reset", help.help_reset, name="help_reset"),
    path("staff/help/categories", help.help_add_category, name="help_add_category"),
    path(
        "staff/help/categories/<int:category_id>/delete",
        help.help_delete_category,
        name="help_delete_category",
    ),
    path("staff/help/restore", help.help_restore, name="help_restore"),
]
