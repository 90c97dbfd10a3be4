"""The SIP messages pyVoIP 1.6.8 gets wrong, built right (see sip_messages' docstring)."""

from contact_center.telephony import sip_messages as sm

INVITE = (
    b"INVITE sip:100@10.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKproxy\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.9:5080;branch=z9hG4bKcaller;rport=5080\r\n"
    b"Record-Route: <sip:10.0.0.1:5060;lr>\r\n"
    b'f: "Customer" <sip:+15550001111@10.0.0.9>;tag=abc\r\n'
    b"To: <sip:100@10.0.0.1>\r\nCall-ID: cid-1\r\nCSeq: 7 INVITE\r\n"
    b"Contact: <sip:sipp@10.0.0.9:5080;transport=udp>\r\nContent-Length: 0\r\n\r\n"
)


def dialog() -> sm.Dialog:
    return sm.Dialog(
        "cid-2",
        local_uri="<sip:ivr@proxy>",
        local_tag="ours",
        remote_uri="<sip:2000@proxy>",
        remote_tag="theirs",
        remote_target="sip:2000@10.0.0.5:5090",
        local_contact="<sip:ivr@10.0.0.2:5070>",
        via_host="10.0.0.2:5070",
        next_cseq=2,
        invite_uri="sip:2000@proxy:5060",
        invite_branch="z9hG4bKinvite",
        invite_cseq=1,
    )


def lines(raw: bytes) -> list[str]:
    return raw.decode().split("\r\n")


def test_response_copies_vias_and_dialog_headers_and_adds_one_to_tag() -> None:
    out = lines(sm.response(INVITE, 180, "Ringing", to_tag="t1"))
    assert out[0] == "SIP/2.0 180 Ringing"
    assert out[1:3] == [
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKproxy",
        "Via: SIP/2.0/UDP 10.0.0.9:5080;branch=z9hG4bKcaller;rport=5080",
    ]
    assert 'From: "Customer" <sip:+15550001111@10.0.0.9>;tag=abc' in out  # compact "f:" understood
    assert "To: <sip:100@10.0.0.1>;tag=t1" in out and "CSeq: 7 INVITE" in out and "Call-ID: cid-1" in out
    assert "Record-Route: <sip:10.0.0.1:5060;lr>" in out  # so in-dialog requests come back through the proxy


def test_response_keeps_an_existing_to_tag_and_counts_body_bytes() -> None:
    bye = INVITE.replace(b"To: <sip:100@10.0.0.1>", b"To: <sip:100@10.0.0.1>;tag=mine")
    out = sm.response(bye, 200, "OK", to_tag="other", body="v=0\r\n")
    assert b"To: <sip:100@10.0.0.1>;tag=mine\r\n" in out and b"other" not in out
    assert out.endswith(b"Content-Length: 5\r\n\r\nv=0\r\n")


def test_ack_for_2xx_goes_to_the_contact_with_the_dialog_to_tag_and_a_new_branch() -> None:
    d = dialog()
    first, second = lines(d.ack_2xx()), lines(d.ack_2xx())
    assert first[0] == "ACK sip:2000@10.0.0.5:5090 SIP/2.0"  # 1.6.8: the To-URI
    assert "To: <sip:2000@proxy>;tag=theirs" in first  # 1.6.8: a fresh random tag every time
    assert "CSeq: 1 ACK" in first
    assert first[1] != second[1] and "branch=z9hG4bKinvite" not in first[1]


def test_ack_for_a_failure_reuses_the_invite_branch_and_uri() -> None:
    out = lines(dialog().ack_failure("busytag"))
    assert out[0] == "ACK sip:2000@proxy:5060 SIP/2.0"
    assert "branch=z9hG4bKinvite" in out[1] and "To: <sip:2000@proxy>;tag=busytag" in out


def test_bye_is_a_new_transaction_with_the_next_cseq() -> None:
    d = dialog()
    first, second = lines(d.bye()), lines(d.bye())
    assert first[0] == "BYE sip:2000@10.0.0.5:5090 SIP/2.0"
    assert "CSeq: 2 BYE" in first and "CSeq: 3 BYE" in second  # 1.6.8: INVITE's CSeq + 1 forever
    assert first[1].startswith("Via: SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bK")  # ours, not the INVITE's stack
    assert "From: <sip:ivr@proxy>;tag=ours" in first and "To: <sip:2000@proxy>;tag=theirs" in first


def test_cancel_matches_the_invite_transaction() -> None:
    out = lines(dialog().cancel())
    assert out[0] == "CANCEL sip:2000@proxy:5060 SIP/2.0"
    assert "branch=z9hG4bKinvite" in out[1] and "CSeq: 1 CANCEL" in out
    assert "To: <sip:2000@proxy>" in out  # no tag


def test_header_helpers_survive_junk() -> None:
    assert sm.header_lines(b"\xff\xfe garbage") == []
    assert sm.uri_of('"A" <sip:a@b;x=y>;tag=1') == "sip:a@b;x=y"
    assert sm.tag_of('"A" <sip:a@b;tag=no>;tag=yes') == "yes"
    assert sm.user_of("<sip:+1555@host>") == "+1555" and sm.user_of("junk") == ""
    assert sm.new_call_id("h") != sm.new_call_id("h")  # 1.6.8 repeats sha256(n) on every run


def test_in_dialog_requests_carry_the_route_set_learnt_from_record_route() -> None:
    rr = [("Record-Route", "<sip:10.0.0.1;lr;did=1>, <sip:10.0.0.7;lr>"), ("Record-Route", "<sip:10.0.0.8;lr>")]
    assert sm.route_set(rr, reverse=False) == ("<sip:10.0.0.1;lr;did=1>", "<sip:10.0.0.7;lr>", "<sip:10.0.0.8;lr>")
    d = dialog()
    d.route_set = sm.route_set(rr, reverse=True)  # the caller's view, from the 200
    bye, ack = lines(d.bye()), lines(d.ack_2xx())
    for request in (bye, ack):
        assert [x for x in request if x.startswith("Route:")] == [
            "Route: <sip:10.0.0.8;lr>",
            "Route: <sip:10.0.0.7;lr>",
            "Route: <sip:10.0.0.1;lr;did=1>",
        ]
    # the INVITE's own transaction (CANCEL, ACK of a failure) has no Route, like the INVITE
    assert not [x for x in lines(d.cancel()) + lines(d.ack_failure("t")) if x.startswith("Route:")]


def test_split_values_keeps_commas_inside_brackets_and_quotes() -> None:
    assert sm.split_values('"Doe, J" <sip:a@b>, <sip:c@d;x=1,2>') == ['"Doe, J" <sip:a@b>', "<sip:c@d;x=1,2>"]


def test_options_probe_and_status_line_helpers() -> None:
    call_id, raw = sm.options(
        "sip:2001@proxy:5060", from_uri="<sip:ivr@proxy>", via_host="10.0.0.2:5070", user_agent="ua"
    )
    out = lines(raw)
    assert out[0] == "OPTIONS sip:2001@proxy:5060 SIP/2.0" and f"Call-ID: {call_id}" in out
    assert sm.cseq_of(sm.header_lines(raw)) == (1, "OPTIONS")
    assert sm.status_of(b"SIP/2.0 404 Not Found\r\n\r\n") == (404, "Not Found")
    assert sm.status_of(b"SIP/2.0 4044 x\r\n") is None and sm.status_of(raw) is None
    assert sm.cseq_of([("CSeq", "x INVITE")]) == (-1, "")
