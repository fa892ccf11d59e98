# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a strongSwan connection does not come up, read from what charon reports while initiating it.

``swanctl --initiate`` streams charon's log of that one exchange. Once a tunnel is found down, the verify role
initiates it once and hands the output here; the SA list alone cannot tell a refused certificate from a wrong key
or a dead peer. Only the initiator's view is available: when the peer refuses this end's authentication, all that
arrives is its AUTHENTICATION_FAILED notify, so that cause names every reason the peer may have had.

Each rule pairs a line of charon's (as strongSwan 5.9 prints it) with a cause code; the first rule that matches
wins, and the rules are ordered from the most specific. Pure Python, no Ansible import.
"""

import re

# code -> (phase, probable cause)
DIAGNOSES = {
    "P1_PEER_REFUSED_AUTH": (
        "phase1",
        "the peer refused this end's authentication (it sent AUTHENTICATION_FAILED): a pre-shared key mismatch, a "
        "certificate that no CA of the peer signs (or that it considers expired or revoked), or an identity the "
        "peer does not expect",
    ),
    "P1_PEER_CERT_UNTRUSTED": (
        "phase1",
        "this end cannot trust the peer's certificate: no CA loaded here signs it (wrong or missing CA chain, or "
        "the peer presents a certificate of another CA)",
    ),
    "P1_PEER_IDENTITY": (
        "phase1",
        "the peer authenticated with an identity this end does not expect (remote id), or its certificate "
        "cannot prove the identity this end expects",
    ),
    "P1_PSK_MISMATCH": (
        "phase1",
        "the pre-shared keys of the two ends differ (the peer's AUTH payload does not verify with the key "
        "configured here), or no key is configured for this pair of identities",
    ),
    "P1_NO_PROPOSAL": (
        "phase1",
        "the peer accepted none of the IKE proposals (encryption, integrity/PRF, DH group), or it has no "
        "connection for this address at all",
    ),
    "P2_NO_PROPOSAL": (
        "phase2",
        "IKE came up but the peer accepted none of the ESP/AH proposals (algorithms, or the PFS group)",
    ),
    "P2_TS_UNACCEPTABLE": (
        "phase2",
        "IKE came up but the peer refused the traffic selectors: the two ends' protected networks are not "
        "mirror images",
    ),
    "P1_NO_ANSWER": (
        "phase1",
        "the peer does not answer IKE (it is down or unreachable, or UDP 500/4500 is blocked on the path)",
    ),
}

_RULES = (
    (re.compile(r"no trusted \w+ public key found for '([^']*)'"), "P1_PEER_CERT_UNTRUSTED"),
    (re.compile(r"no issuer certificate found for"), "P1_PEER_CERT_UNTRUSTED"),
    (re.compile(r"constraint check failed: identity '([^']*)' required"), "P1_PEER_IDENTITY"),
    (re.compile(r"tried \d+ shared keys? for '[^']*' - '[^']*', but MAC mismatched"), "P1_PSK_MISMATCH"),
    (re.compile(r"no shared key found for '[^']*' - '[^']*'"), "P1_PSK_MISMATCH"),
    (re.compile(r"received AUTHENTICATION_FAILED notify error"), "P1_PEER_REFUSED_AUTH"),
    (re.compile(r"received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"), "P2_NO_PROPOSAL"),
    (re.compile(r"received TS_UNACCEPTABLE notify, no CHILD_SA built"), "P2_TS_UNACCEPTABLE"),
    (re.compile(r"received NO_PROPOSAL_CHOSEN notify error"), "P1_NO_PROPOSAL"),
    (re.compile(r"giving up after \d+ retransmits|retransmit \d+ of request with message ID 0\b"), "P1_NO_ANSWER"),
)

_SUCCESS = re.compile(r"^initiate completed successfully$", re.M)


def succeeded(output):
    """Whether the initiation came up."""
    return bool(output) and bool(_SUCCESS.search(output))


def diagnose(output):
    """``None`` when the initiation succeeded or says nothing known, else
    ``{"code", "phase", "cause", "evidence"}`` where ``evidence`` is charon's line that decided it."""
    if not output or _SUCCESS.search(output):
        return None
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for pattern, code in _RULES:
        for line in lines:
            if pattern.search(line):
                phase, cause = DIAGNOSES[code]
                return {"code": code, "phase": phase, "cause": cause, "evidence": line}
    return None
