# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exception types shared by the pure core of the collection.

Every error is a ``ValueError`` so callers that only care about "bad input" can catch
one type, while the subclasses carry the structured details (intent path, algorithm
and target, offending ACL text) that reports and tests need.
"""


class IntentError(ValueError):
    """One problem in the intent.

    ``path`` locates the problem inside the intent, e.g. ``tunnels[3].b.networks[0]``;
    ``message`` says what is wrong; ``code`` is a short machine-readable category such as
    ``INVALID``, ``PHASE1_INCOMPATIBLE`` or ``PSK_MISMATCH``.
    """

    def __init__(self, path, message, code="INVALID"):
        self.path = str(path)
        self.message = str(message)
        self.code = str(code)
        super().__init__(self.__str__())

    def __str__(self):
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message

    def __repr__(self):
        return f"IntentError({self.path!r}, {self.message!r}, code={self.code!r})"

    def __eq__(self, other):
        if not isinstance(other, IntentError):
            return NotImplemented
        return (self.path, self.message, self.code) == (other.path, other.message, other.code)

    def __ne__(self, other):
        result = self.__eq__(other)
        if result is NotImplemented:
            return result
        return not result

    def __hash__(self):
        return hash((self.path, self.message, self.code))

    def as_dict(self):
        """JSON-friendly form for reports: ``{'path': ..., 'message': ..., 'code': ...}``."""
        return {"path": self.path, "message": self.message, "code": self.code}


class IntentErrors(ValueError):
    """Several problems found at once; ``errors`` is a list of :class:`IntentError`.

    ``str()`` lists every error, one per line, in the order they were found. ``note``, when
    set, says what was not checked (e.g. cross-peer checks that need a valid intent).
    """

    def __init__(self, errors, note=None):
        self.note = note
        flat = []
        for err in errors:
            if isinstance(err, IntentErrors):
                flat.extend(err.errors)
                self.note = self.note or err.note
            elif isinstance(err, IntentError):
                flat.append(err)
            else:
                raise TypeError(f"IntentErrors holds IntentError instances, got {err!r}")
        self.errors = flat
        super().__init__(self.__str__())

    def __str__(self):
        return "\n".join(str(err) for err in self.errors)

    def __repr__(self):
        return f"IntentErrors({self.errors!r})"

    def __len__(self):
        return len(self.errors)

    def __iter__(self):
        return iter(self.errors)

    def as_list(self):
        """JSON-friendly form: a list of ``IntentError.as_dict()``."""
        return [err.as_dict() for err in self.errors]


class AlgorithmError(ValueError):
    """An algorithm name that is unknown, or that a target cannot express.

    ``algorithm`` is the value as given (or its canonical name), ``target`` the target id
    (``ios_ikev1``, ``ios_ikev2``, ``ios_transform``, ``strongswan``) or ``None`` when the
    problem is not target-specific (e.g. an unknown name).
    """

    def __init__(self, message, algorithm=None, target=None, kind=None):
        self.algorithm = algorithm
        self.target = target
        self.kind = kind
        super().__init__(message)


class AclError(ValueError):
    """An access-control entry that cannot be parsed, validated or rendered.

    The message quotes the offending text or names the offending field. ``text`` holds the
    quoted input when there is one and ``field`` the field name when there is one.
    """

    def __init__(self, message, text=None, field=None):
        self.text = text
        self.field = field
        super().__init__(message)
