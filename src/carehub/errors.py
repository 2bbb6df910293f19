"""The exceptions carehub raises: for what goes wrong outside the content itself.

Content is never an exception: every mistake in a contributor's file is a :class:`~carehub.problems.Problem`,
so one run reports them all.  What is here stops one command: a story file edited while the site is built,
a withdrawal or a new story that cannot be made as asked.  Each message says why and what to do, and the
command line prints it without a traceback.  Standard library only; must not import the rest of carehub.
"""

from __future__ import annotations


class CarehubError(Exception):
    """A command could not do what was asked; the message says why and what to do."""


class StoryChanged(CarehubError):
    """A story file changed between its check and its page being rendered."""


class WithdrawError(CarehubError):
    """The withdrawal could not be made (`carehub withdraw`); nothing was changed."""


class ScaffoldError(CarehubError):
    """The new story could not be written as asked (`carehub new`); nothing was written."""
