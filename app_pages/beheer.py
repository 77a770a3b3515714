"""Beheer (coordinators): accounts, moderation of new assets in this wijk, what waits for approval, imports, themes."""

from __future__ import annotations

import streamlit as st

from abcd import accounts, themes, ui
from abcd.assets import approve_asset, set_moderation, undo_import, visible_assets
from abcd.i18n.formats import format_datetime
from abcd.permissions import Permission, Role, require

ctx = ui.context()
tr = ui.tr
st.header(tr("page.admin"))
ui.require_page(ctx, Permission.MODERATE)

st.subheader(tr("admin.moderation_title", wijk=ui.plain(ctx.wijk.name)))
required = ctx.store.requires_approval(ctx.wijk.slug)
wanted = st.toggle(tr("admin.moderation"), value=required, key=f"admin_moderation_{ctx.wijk.slug}")
if wanted != required:
    with ui.guard():
        set_moderation(ctx.store, ctx.wijk.slug, wanted, user=ctx.user)
    st.rerun()

pending = [a for a in visible_assets(ctx.store, wijk=ctx.wijk.slug, user=ctx.user) if a.is_pending]
st.caption(tr("admin.pending_count", n=len(pending)))
for asset in pending:
    col_name, col_button = st.columns([4, 1])
    col_name.markdown(f"**{ui.plain(asset.name)}** · {asset.category.label(ctx.lang)} · {ui.plain(asset.created_by)}")
    if col_button.button(tr("list.approve"), key=f"admin_approve_{asset.id}"):
        with ui.guard():
            approve_asset(ctx.store, asset.id, user=ctx.user)
        st.rerun()

st.subheader(tr("admin.imports"))
batches = ctx.store.import_batches(limit=20)
if not batches:
    st.caption(tr("admin.imports_none"))
else:
    st.dataframe(
        {
            tr("admin.import_id"): [b.id for b in batches],
            tr("admin.import_when"): [format_datetime(b.imported_at, ctx.lang) for b in batches],
            tr("admin.import_by"): [b.imported_by for b in batches],
            tr("admin.import_file"): [b.source for b in batches],
            tr("admin.import_counts"): [
                tr("cli.batch_counts", rows=b.rows, created=b.created, updated=b.updated) for b in batches
            ],
            tr("admin.import_undone"): [format_datetime(b.undone_at, ctx.lang) if b.undone_at else "" for b in batches],
        },
        hide_index=True,
    )
    live = {b.id: b for b in batches if not b.is_undone}
    if live:
        with st.form("admin_undo_import"):
            chosen = st.selectbox(
                tr("admin.import_choose"), list(live), format_func=lambda i: f"{i} · {live[i].source}"
            )
            sure = st.checkbox(tr("admin.import_sure"))
            if st.form_submit_button(tr("admin.import_undo")):
                if not sure:
                    st.error(tr("admin.import_not_sure"))
                else:
                    with ui.guard():
                        done = undo_import(ctx.store, chosen, user=ctx.user)
                    ui.flash(tr("cli.batch_undone_now", id=done.batch.id, removed=done.removed, restored=done.restored))
                    st.rerun()

if ctx.user.can(Permission.MANAGE_THEMES):
    st.subheader(tr("admin.themes"))
    st.caption(tr("admin.themes_help"))
    known = themes.list_themes(ctx.store)
    st.dataframe(
        {
            tr("field.theme_code"): [theme.code for theme in known],
            tr("admin.theme_nl"): [theme.label("nl") for theme in known],
            tr("admin.theme_en"): [theme.label("en") for theme in known],
        },
        hide_index=True,
    )
    with st.form("admin_add_theme", clear_on_submit=True):
        code = st.text_input(tr("field.theme_code"), max_chars=30, placeholder="buurtpreventie")
        label_nl = st.text_input(tr("admin.theme_nl"), max_chars=themes.LABEL_MAX)
        label_en = st.text_input(tr("admin.theme_en"), max_chars=themes.LABEL_MAX)
        if st.form_submit_button(tr("admin.add_theme"), type="primary"):
            with ui.guard():
                added = themes.add_theme(ctx.store, code, label_nl=label_nl, label_en=label_en, user=ctx.user)
            ui.flash(tr("cli.theme_added", code=added.code, label=ui.plain(added.label(ctx.lang))))
            st.rerun()

if not ctx.user.can(Permission.MANAGE_USERS):
    st.stop()

st.subheader(tr("admin.accounts"))
with ui.guard():
    require(ctx.user, Permission.MANAGE_USERS)
    listed = accounts.list_accounts(ctx.store)
st.dataframe(
    {
        tr("field.username"): [a.username for a in listed],
        tr("field.role"): [tr(f"role_name.{a.role.value}") for a in listed],
        tr("admin.wijken"): [", ".join(sorted(a.wijken)) or tr("admin.all_wijken") for a in listed],
        tr("admin.locked"): [format_datetime(a.locked_until, ctx.lang) if a.locked_until else "" for a in listed],
    },
    hide_index=True,
)
roles = [r.value for r in Role if r is not Role.PUBLIC]
with st.form("admin_add_user"):
    st.markdown(f"**{tr('admin.add_user')}**")
    username = st.text_input(tr("field.username"))
    password = st.text_input(tr("field.password"), type="password", help=tr("admin.password_help"))
    role = st.selectbox(
        tr("field.role"), roles, format_func=lambda r: tr(f"role_name.{r}"), index=roles.index("builder")
    )
    wijken = st.text_input(tr("admin.wijken"), value=ctx.wijk.slug, help=tr("admin.wijken_help"))
    if st.form_submit_button(tr("admin.add_user"), type="primary"):
        with ui.guard():
            require(ctx.user, Permission.MANAGE_USERS)
            accounts.add_user(
                ctx.store, username, role=role, password=password or None, wijken=wijken, by=ctx.user.username
            )
        ui.flash(tr("cli.users_done", username=ui.plain(username.strip().lower())))
        st.rerun()

if listed:
    st.markdown(f"**{tr('admin.change_user')}**")
    who = st.selectbox(tr("field.username"), [a.username for a in listed], key="admin_who")
    current_role = next(a.role.value for a in listed if a.username == who)
    with st.form(f"admin_change_user_{who}"):
        new_role = st.selectbox(
            tr("field.role"), roles, index=roles.index(current_role), format_func=lambda r: tr(f"role_name.{r}")
        )
        remove = st.checkbox(tr("admin.remove_user"))
        if st.form_submit_button(tr("admin.apply"), type="primary"):
            with ui.guard():
                require(ctx.user, Permission.MANAGE_USERS)
                if remove:
                    accounts.remove_user(ctx.store, who, by=ctx.user.username)
                else:
                    accounts.set_role(ctx.store, who, new_role, by=ctx.user.username)
            st.rerun()
