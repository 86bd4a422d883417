"""Account & security templates: password reset, verification code, new-device login, invitation,
invitation accepted."""

from __future__ import annotations

from .. import pools
from ..context import Ctx
from ..model import Button, Code, Doc, Fields, Link, Para, Var
from .common import greeting, pick


def password_reset(c: Ctx) -> Doc:
    """Password reset with a tokenised link (button or inline link)."""
    user = Var("username", pools.username(c.rng, c.to))
    url = c.url(c.sopt("reset_path", "/account/reset-password?token=") + c.ident("token_fmt", "{h32}"))
    doc = Doc(c.f("subj_reset"))
    doc.add(greeting(c), Para(c.f("reset_intro", user=user)))
    if c.sopt("reset_link", "button") == "button":
        doc.add(Button(c.L("reset_btn"), url, "action_url"))
    else:
        doc.add(Para((Link((url,), url, "action_url"),)))
    if c.chance("p_reset_ip", 0.5):
        doc.add(
            Para(
                c.f(
                    "reset_requested",
                    ip=Var("ip_address", pools.ip_address(c.rng)),
                    time=Var("event_time", c.dt(c.when)),
                ),
                muted=True,
            )
        )
    doc.add(Para(c.f("reset_outro"), muted=True))
    return doc


def verification_code(c: Ctx) -> Doc:
    """One-time code; the code is in the subject and in a code box."""
    raw = c.ident("otp_fmt", "{n6}")
    code = Var("verification_code", raw)
    doc = Doc(c.f("subj_code", code=code))
    doc.add(Para(c.f("code_intro", user=Var("username", pools.username(c.rng, c.to)))))
    if c.sopt("code_in", "box") == "box":
        doc.add(Code((code,)))
    else:
        doc.add(Para(c.f("code_sentence", code=code)))
    doc.add(Para(c.f("code_outro"), muted=True))
    return doc


def new_device(c: Ctx) -> Doc:
    """New sign-in alert: device, IP, time, account; the 'secure account' link is constant."""
    user = Var("username", pools.username(c.rng, c.to))
    device = Var("device_name", pools.device(c.rng, c.s.lang))
    doc = Doc(c.f("subj_login", device=device))
    doc.add(greeting(c), Para(c.f("login_intro", user=user)))
    doc.add(
        Fields(
            (
                (c.L("device"), (device,)),
                (c.L("ip"), (Var("ip_address", pools.ip_address(c.rng)),)),
                (c.L("location"), (pick(c, "cities"),)),
                (c.L("when"), (Var("event_time", c.dt(c.when)),)),
            )
        )
    )
    doc.add(Para(c.f("login_body")))
    doc.add(Button(c.L("secure_btn"), c.url("/security/sessions")))
    doc.add(Para(c.f("login_outro"), muted=True))
    return doc


def email_changed(c: Ctx) -> Doc:
    """The account's e-mail address changed: the account (old address) and the new address."""
    old = Var("username", c.to.email)
    doc = Doc(c.f("subj_email_changed"))
    doc.add(greeting(c), Para(c.f("email_changed_intro", old=old, new=c.person().email)))
    doc.add(Para(c.f("email_changed_outro"), muted=True))
    return doc


def invitation(c: Ctx) -> Doc:
    """Invitation to join a team/organisation by another user."""
    actor = c.actor()
    org = Var("organization_name", pools.organization(c.rng))
    doc = Doc(c.f("subj_invite", actor=actor, org=org))
    doc.add(Para(c.f("invite_intro", actor=actor, org=org, role=pick(c, "roles"))))
    if c.chance("p_invite_note", 0.3):
        doc.add(Para(("“", pick(c, "invite_notes"), "”")))
    url = c.url(f"/invitations/accept?token={c.ident('token_fmt', '{h32}')}")
    doc.add(Button(c.L("invite_btn"), url, "action_url"))
    doc.add(Para(c.f("invite_outro", email=c.to.email), muted=True))
    return doc


def invitation_accepted(c: Ctx) -> Doc:
    """Someone the reader invited has joined: the person who acted is named mid-sentence."""
    actor = c.actor()
    org = Var("organization_name", pools.organization(c.rng))
    doc = Doc(c.f("subj_accepted", actor=actor))
    doc.add(greeting(c), Para(c.f("accepted_intro", actor=actor, org=org)))
    doc.add(Button(c.L("members_btn"), c.url("/settings/members")))
    doc.add(Para(c.f("accepted_outro"), muted=True))
    return doc
