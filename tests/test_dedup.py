from newsfuse.dedup import find_duplicates, fingerprint, near_duplicate_groups
from newsfuse.model import Article, Metadata

WIRE = (
    "The United States and Iraq launched much-anticipated strategic talks Thursday that are to span "
    "the gamut of their bilateral relations, with Washington prioritizing the future of its forces.\n\n"
    "The talks, which began with an initial meeting in the afternoon with participants tuning in online "
    "because of the coronavirus measures, are expected to drag out over several months.\n\n"
    "Iraqi officials have said plans are being drawn up to capture associated gas currently being flared "
    "in oil fields in Iraq's south.\n\n"
    "However, Baghdad last week signed a two-year contract with Iran to continue importing Iranian "
    "electricity."
)
REPRINT = (
    "The United States and Iraq launched much-anticipated strategic talks on Thursday that are to span "
    "the gamut of their bilateral relations, with Washington prioritizing the future of its forces.\n\n"
    "The talks, which began with an initial meeting in the afternoon with participants tuning in online "
    "because of the coronavirus measures, are expected to drag out over several months.\n\n"
    "Iraqi officials have said plans are being drawn up to capture associated gas currently being flared "
    "in oil fields in Iraq's south."
)
STATEMENT_A = (
    "The two sides met on Friday in a video call.\n\n"
    "“The two countries recognized that in light of significant progress towards eliminating the ISIS "
    "threat, over the coming months the US would continue reducing forces from Iraq,” the statement "
    "reads.\n\n"
    "Analysts in Baghdad welcomed the outcome of the first round."
)
STATEMENT_B = (
    "Officials in Washington described the session as productive.\n\n"
    "“The two countries recognized that in light of significant progress towards eliminating the ISIS "
    "threat, over the coming months the U.S. would continue reducing forces from Iraq,” the nations said "
    "in a joint communique.\n\n"
    "The economy is teetering after plunging global oil prices."
)


def article(doc_id: str, body: str) -> Article:
    return Article(id=doc_id, source=doc_id, body=body, language="en", meta=Metadata(), segments=(),
                   raw_sha256="0" * 64, cleaner="test")


def test_wire_copy_and_reprint_are_syndicated_with_the_fuller_copy_as_origin():
    fps = [fingerprint(article("wire", WIRE)), fingerprint(article("reprint", REPRINT))]
    report = find_duplicates(fps, {"wire": "AP", "reprint": "Xinhua"})
    (group,) = report.syndication
    assert group.documents == ("reprint", "wire")
    assert group.origin_document == "wire" and group.origin == "AP"
    assert group.miscredited == ("reprint",)
    assert group.credits == {"reprint": "Xinhua", "wire": "AP"}
    assert not report.common_sources
    bodies = {"wire": WIRE, "reprint": REPRINT}
    for passage in group.shared:
        left = bodies[passage.left.document][passage.left.start:passage.left.end]
        right = bodies[passage.right.document][passage.right.start:passage.right.end]
        assert len(left.split()) >= 6 and len(right.split()) >= 6
    assert any("Iraq's south" in bodies[p.left.document][p.left.start:p.left.end] for p in group.shared)


def test_the_origin_holds_the_sentences_a_longer_reprint_cut():
    # The reprint cuts the wire's second paragraph and adds two lines of its own at the end: it is
    # longer than the wire and holds as much of it, but the wire holds the cut sentence between
    # passages both share. Both carry a credit, so the credits cannot decide.
    paragraphs = WIRE.split("\n\n")
    own = ("Local analysts said the outcome matters for the province's power supply this summer.\n\n"
           "The provincial council is to discuss the contract with the electricity ministry next week, "
           "a council member told reporters.")
    reprint = "\n\n".join([paragraphs[0], *paragraphs[2:], own])
    fps = [fingerprint(article("wire", WIRE)), fingerprint(article("reprint", reprint))]
    assert fps[1].words > fps[0].words
    (group,) = find_duplicates(fps, {"wire": "AP", "reprint": "Xinhua"}).syndication
    assert group.origin_document == "wire" and group.origin == "AP"
    assert group.miscredited == ("reprint",)
    assert "cut between passages they share" in group.origin_reason


def test_pages_quoting_one_statement_are_a_common_source_not_copies():
    fps = [fingerprint(article("a", STATEMENT_A)), fingerprint(article("b", STATEMENT_B))]
    report = find_duplicates(fps)
    assert not report.syndication
    (common,) = report.common_sources
    assert common.documents == ("a", "b")
    assert all(p.quoted for p in common.shared)
    passage = common.shared[0]
    assert "eliminating the ISIS threat" in STATEMENT_A[passage.left.start:passage.left.end]


def test_unrelated_pages_share_nothing():
    report = find_duplicates([fingerprint(article("a", WIRE)), fingerprint(article("b", STATEMENT_B))])
    assert not report.syndication and not report.common_sources and not report.duplicates


def test_near_duplicates_found_exact_and_edited():
    edited = WIRE.replace("several months", "many months")
    fps = [fingerprint(article(i, body)) for i, body in
           (("x1", WIRE), ("x2", WIRE), ("x3", edited), ("y", STATEMENT_A))]
    assert near_duplicate_groups(fps) == (("x1", "x2", "x3"),)


def test_origin_of_counts_copies_once():
    fps = [fingerprint(article("wire", WIRE)), fingerprint(article("reprint", REPRINT)),
           fingerprint(article("other", STATEMENT_A))]
    origins = find_duplicates(fps).origin_of()
    assert origins["reprint"] == origins["wire"] == "wire"
    assert origins.get("other", "other") == "other"
