"""The learned matcher's arrays and featuriser: complete, small, and deterministic."""

from importlib import resources

from advisor.features import featurise, tokens
from advisor.learned import HEADS, default_model
from advisor.matching import match
from advisor.models import Layer, Symptom, Topic


def test_identifiers_are_split_and_numbers_keep_only_what_means_something():
    assert tokens("OOMKilled: TooManyRequestsException 429 after 1200ms") == [
        "oom", "killed", "too", "many", "requests", "exception", "429", "after", "#", "ms"]


def test_an_acronyms_plural_is_the_acronym_not_two_cut_words():
    assert tokens("GCs pause our VMs; APIs and DBs time out, IOPS too") == [
        "gc", "pause", "our", "vm", "api", "and", "db", "time", "out", "iops", "too"]


def test_the_vocabulary_reads_an_acronyms_plural_by_its_case():
    from advisor.vocab_match import vocabulary_hits

    assert "layer:storage" not in vocabulary_hits("long pauses from full GCs")
    assert vocabulary_hits("the GCS bucket is throttling us")["layer:storage"][1] == "gcs"


def test_http_error_codes_and_classes_keep_their_meaning_plural_or_not():
    assert tokens("5xx rate up, 503s and 4XX errors, 200 OK in 1200ms") == [
        "5xx", "rate", "up", "503", "and", "4xx", "errors", "#", "ok", "in", "#", "ms"]


def test_every_feature_remembers_the_words_it_came_from():
    f = featurise("pool exhausted")
    assert len(f.names) == len(f.values) == len(f.sources)
    assert ("w:pool", "pool") in zip(f.names, f.sources, strict=True)
    assert ("b:pool exhausted", "pool exhausted") in zip(f.names, f.sources, strict=True)


def test_the_model_knows_every_contract_name():
    model = default_model()
    names = {head: set(model.heads[head][0]) for head in HEADS}
    assert names["kind"] == {"symptom", "question", "noise"}
    assert names["layer"] == {x.value for x in Layer}
    assert names["topic"] == {x.value for x in Topic}
    assert names["symptom"] == {x.value for x in Symptom} | {"none"}


def _sizes(folder) -> int:
    return sum(_sizes(entry) if entry.is_dir() else len(entry.read_bytes())
               for entry in folder.iterdir())


def test_all_shipped_data_stays_under_ten_megabytes():
    # The bound is on what ships, not on one file: model, vectors, vocabulary, playbook and
    # the signature catalogue together.
    data = resources.files("advisor").joinpath("data")
    assert 1_000_000 < _sizes(data) < 10_000_000


def test_predictions_are_deterministic_and_carry_evidence():
    model = default_model()
    first = model.predict("the primary database is at 100% cpu and queries crawl")
    again = model.predict("the primary database is at 100% cpu and queries crawl")
    assert first == again
    assert first.kind == "symptom" and first.layer == "database"
    assert first.evidence["layer"]


def test_the_words_of_a_change_are_no_evidence():
    """"went from" says a value changed, not where the trouble is."""
    evidence = default_model().predict("p95 went from 400ms to 3s").evidence["layer"]
    assert not {"went", "from", "went from"} & set(evidence), evidence


def test_what_is_left_of_a_contraction_is_no_evidence():
    # "we're" splits into "we" and "re"; neither, nor the pair, is a reason to show. The
    # status code said as a plural ("429s") is the code, and shows with the vendor.
    evidence = match("we're getting 429s from stripe").evidence
    assert evidence == ["429s stripe"]


def test_a_time_of_day_is_no_feature():
    """"at 09:02 ... by 09:10" says when, not where: it once made a latency spike read as
    storage."""
    assert tokens("p99 spiked to 8s at 09:02 and recovered by 09:10:33") == [
        "p99", "spiked", "to", "#", "s", "at", "and", "recovered", "by"]
    assert tokens("ratio 3:1, 502s") == ["ratio", "#", "#", "502"]
