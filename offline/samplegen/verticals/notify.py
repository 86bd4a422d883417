"""Notification templates: comment, mention, assignment, review request, project activity."""

from __future__ import annotations

from .. import pools
from ..context import Ctx
from ..model import Button, Doc, Heading, Link, Para, Var
from .common import pick


def _thread(c: Ctx) -> tuple[Var, Var, str, str]:
    actor = c.actor()
    org = Var("organization_name", pools.organization(c.rng))
    task = pick(c, "tasks")
    url = c.url(c.L("thread_path").format(n=c.rng.randint(12, 9999), h=c.ident("c_fmt", "{h8}")))
    return actor, org, task, url


def comment(c: Ctx) -> Doc:
    """Someone commented on an item in a project."""
    actor, org, task, url = _thread(c)
    doc = Doc(c.f("subj_comment", actor=actor, task=task, org=org))
    doc.add(Para(c.f("comment_intro", actor=actor, task=task, org=org)))
    doc.add(Para(("“", pick(c, "comments"), "”")))
    doc.add(Button(c.L("view_btn"), url, "action_url"), Para(c.f("notify_outro", org=org), muted=True))
    return doc


def mention(c: Ctx) -> Doc:
    """Someone mentioned the recipient; the task title links to the thread."""
    actor, org, task, url = _thread(c)
    doc = Doc(c.f("subj_mention", actor=actor, org=org))
    doc.add(Heading(c.f("mention_title", actor=actor)))
    doc.add(Para(c.f("mention_intro", actor=actor, org=org, task=Link((task,), url, "action_url"))))
    doc.add(Para(("“@", c.to.first.lower(), " ", pick(c, "comments"), "”")))
    doc.add(Para(c.f("notify_outro", org=org), muted=True))
    return doc


def assigned(c: Ctx) -> Doc:
    """A task was assigned to the recipient."""
    actor, org, task, url = _thread(c)
    doc = Doc(c.f("subj_assigned", task=task))
    doc.add(Para(c.f("assigned_intro", actor=actor, task=task, org=org)))
    doc.add(Button(c.L("open_task_btn"), url, "action_url"), Para(c.f("notify_outro", org=org), muted=True))
    return doc


def review_request(c: Ctx) -> Doc:
    """Code review requested on a pull request."""
    actor, org, task, url = _thread(c)
    repo = f"{org.value.lower().replace(' ', '-')}/{c.rng.choice(('api', 'web', 'infra', 'docs', 'mobile'))}"
    doc = Doc(c.f("subj_review", repo=repo, task=task))
    doc.add(Para(c.f("review_intro", actor=actor, org=org, task=task)))
    doc.add(Button(c.L("review_btn"), url, "action_url"), Para(c.f("notify_outro", org=org), muted=True))
    return doc


def activity(c: Ctx) -> Doc:
    """A project item was created, changed or deleted: the project in the Subject and heading."""
    actor, org, task, url = _thread(c)
    kind = pick(c, "kinds")
    doc = Doc(c.f("subj_activity", org=org, task=task))
    doc.add(Heading(c.f("activity_title", kind=kind, org=org)))
    doc.add(Para(c.f("activity_intro", actor=actor, task=task)))
    doc.add(Button(c.L("activity_btn"), url, "action_url"), Para(c.f("notify_outro", org=org), muted=True))
    return doc
