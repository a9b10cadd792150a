"""Bytes -> text without losing the text.

Order of decisions:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) decides; damaged code units are replaced;
2. NUL-interleaved text without a mark is UTF-16; many NULs or control bytes: binary;
3. valid UTF-8 is UTF-8;
4. a file pasted together from UTF-8 lines and legacy-encoded lines is decoded line by
   line (_mixed_by_line);
5. text that is UTF-8 *but for a few bad bytes* stays UTF-8 with the bad bytes replaced
   by U+FFFD and counted (a legacy reading of it would garble every non-ASCII character
   to save a handful);
6. ASCII with one to three stray high bytes: a legacy reading only when they read as
   typographic marks or accented letters (a CP1252 curly quote), else UTF-8 damage;
7. otherwise a legacy encoding (GB18030, Big5, Windows-1251, KOI8-R, CP1252) chosen by
   charset-normalizer's measured mess ratio, near-ties broken by how many of the decoded
   characters are the everyday letters of the script the encoding serves.

benchmarks/bench_decoding.py measures all of it on the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import InputError

__all__ = ["Decoded", "LEGACY_ENCODINGS", "decode", "decode_bytes"]

LEGACY_ENCODINGS = ("gb18030", "big5", "cp1251", "koi8_r", "cp1252")
_LEGACY_NAMES = "GB18030, Big5, Windows-1251, KOI8-R or CP1252"
_SAMPLE = 64 * 1024  # bytes the detector looks at; the whole file is still decoded
_NEAR_TIE = 0.02  # mess ratios this close are a tie for the detector
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # damaged bytes / code units replaced by U+FFFD

    def note(self) -> str | None:
        """One line for the user when something was replaced."""
        if not self.replaced:
            return None
        what = "byte was" if self.replaced == 1 else "bytes were"
        return f"{self.replaced} damaged {what} replaced while decoding {self.encoding}"


def decode_bytes(data: bytes, name: str) -> tuple:
    """(text, encoding) of `data`; raises InputError for empty, binary or undecodable data."""
    result = decode(data, name)
    return result.text, result.encoding


def decode(data: bytes, name: str) -> Decoded:
    """Decode one file's (or record's) bytes; see the module docstring for the rules."""
    if not data.strip():
        raise InputError(name, "file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _with_replacement(data[len(bom):], codec, label=codec + " (byte-order mark)")
    sample = data[:_SAMPLE]
    nuls = sample.count(0)
    if nuls:
        utf16 = _bomless_utf16(sample)
        if utf16:
            return _with_replacement(data, utf16)
        if nuls > max(2, len(sample) // 1000):  # a stray NUL or two is damage, many are binary
            raise InputError(name, "looks like a binary file, not text (NUL bytes found)")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > len(sample) * 0.02:
        raise InputError(name, "looks like a binary file, not text (control bytes found)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    mixed = _mixed_by_line(data)
    if mixed:
        return mixed
    damaged = _mostly_utf8(data)
    if damaged:
        return damaged
    near_ascii = _near_ascii(data)
    if near_ascii:
        return near_ascii
    legacy = _legacy(data)
    if legacy is None:
        raise InputError(name, f"cannot decode: not UTF-8 (invalid byte at offset {first_bad}) "
                               f"and not {_LEGACY_NAMES} text")
    return legacy


def _with_replacement(data: bytes, codec: str, label: str | None = None) -> Decoded:
    text = data.decode(codec, errors="replace")
    replaced = text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")
    return Decoded(text, label or codec, replaced)


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a mark: one byte of (nearly) every pair is NUL, the other is not."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / max(1, len(odd))
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few bad bytes: bytes of valid multi-byte characters far outnumber them.

    Legacy text read as UTF-8 is the opposite: almost every non-ASCII byte is invalid and
    only an odd pair forms a valid sequence by accident.
    """
    text = data.decode("utf-8", errors="replace")
    replacements = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good_bytes = len(text.encode("utf-8")) - 3 * replacements
    bad_bytes = len(data) - good_bytes
    ascii_bytes = len(data) - len(data.translate(None, bytes(range(128))))
    valid_multibyte = good_bytes - ascii_bytes
    if valid_multibyte >= 2 and valid_multibyte >= 3 * bad_bytes:
        return Decoded(text, "utf-8", bad_bytes)
    return None


def _near_ascii(data: bytes) -> Decoded | None:
    """ASCII text with one to three stray high bytes: the first legacy encoding in which
    they read as typographic marks or accented letters (a curly quote), else UTF-8 damage.
    The detector has too little to go on here, and a wrong multi-byte guess would swallow
    the letter next to a stray byte."""
    high = len(data) - len(data.translate(None, bytes(range(128, 256))))
    if high > 3:
        return None
    for codec in ("cp1252", "gb18030", "big5"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if all(c in _PUNCT_COMMON or c in _LATIN_COMMON for c in text if c > "\x7f"):
            return Decoded(text, codec)
    return _with_replacement(data, "utf-8")


def _mixed_by_line(data: bytes) -> Decoded | None:
    """A file pasted together from UTF-8 and legacy parts: lines that are valid UTF-8 with
    multi-byte text stay UTF-8; lines where bad bytes are not the rare exception are
    legacy, decoded as the detector says; lines with a stray bad byte among valid ones are
    damaged UTF-8."""
    lines = data.split(b"\n")
    utf8_bytes, legacy_lines = 0, []
    for line in lines:
        high = len(line.translate(None, bytes(range(128))))
        try:
            line.decode("utf-8")
            utf8_bytes += high
        except UnicodeDecodeError:
            if high >= 2 and _mostly_utf8(line) is None:
                legacy_lines.append(line)
    if utf8_bytes < 6 or not legacy_lines:
        return None
    legacy = _legacy(b"\n".join(legacy_lines))
    if legacy is None:
        return None
    codec, legacy_set = legacy.encoding, set(legacy_lines)
    decoded, replaced = [], 0
    for line in lines:
        if line in legacy_set:
            decoded.append(line.decode(codec, errors="replace"))
        else:
            part = _with_replacement(line, "utf-8")
            decoded.append(part.text)
            replaced += part.replaced
    return Decoded("\n".join(decoded), f"utf-8 and {codec} (mixed by line)", replaced + legacy.replaced)


def _legacy(data: bytes) -> Decoded | None:
    """Best legacy reading: the detector's lowest mess, ties broken by letter plausibility."""
    from charset_normalizer import from_bytes  # imported on first legacy file only

    sample = data[:_SAMPLE]
    for cut in range(4):  # a file cut inside its last character: look without that tail
        matches = from_bytes(sample[:len(sample) - cut], cp_isolation=list(LEGACY_ENCODINGS))
        if matches or len(data) > _SAMPLE:
            break
    ranked = []
    for match in matches:
        codec = _canonical(match.encoding)
        if codec is None or any(codec == r[2] for r in ranked):
            continue
        ranked.append((match.chaos, -_plausibility(str(match)[:20000], codec), codec))
    if not ranked:
        return _damaged_legacy(data)
    least_mess = min(r[0] for r in ranked)
    near = sorted((plaus, mess, codec) for mess, plaus, codec in ranked if mess <= least_mess + _NEAR_TIE)
    chosen = None
    for _, _, codec in near:
        try:
            chosen = Decoded(data.decode(codec), codec)
            break
        except UnicodeDecodeError:
            continue  # the sample fitted, a later byte does not
    chosen = chosen or _with_replacement(data, near[0][2])
    if -near[0][0] < 0.5:  # an implausible best: maybe the right codec failed on one cut byte
        damaged = _damaged_legacy(data)
        if damaged and damaged.encoding != chosen.encoding:
            return damaged
    return chosen


def _damaged_legacy(data: bytes) -> Decoded | None:
    """The detector refuses text with a byte no candidate can decode (a cut or damaged
    file): take the encoding that needs the fewest replacements, if they are few."""
    best = None
    for codec in LEGACY_ENCODINGS:
        decoded = _with_replacement(data, codec)
        non_ascii = sum(1 for c in decoded.text if c > "\x7f")
        if decoded.replaced > max(2, non_ascii // 100):
            continue
        key = (-_plausibility(decoded.text[:20000], codec), decoded.replaced)
        if best is None or key < best[0]:
            best = (key, decoded)
    return best[1] if best and best[0][0] < -0.5 else None


def _canonical(name: str) -> str | None:
    name = name.lower().replace("-", "_")
    aliases = {"gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "big5": "big5",
               "cp1251": "cp1251", "windows_1251": "cp1251", "koi8_r": "koi8_r",
               "cp1252": "cp1252", "windows_1252": "cp1252"}
    return aliases.get(name)


# Everyday characters per script: a right decoding is full of them, a wrong one is not.
_COMMON_ZH = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
    "位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强"
    "放决西被干做必战先回则任取据处府研信车汽司技术云智网联创宝马阿里腾讯微软合作签署战略协议集团科"
    "，。、；：？！“”《》（）"
)
_RU_COMMON = "оеаинтсрвлкмдпуяызбгчйхжшюцщэфъё"  # lower case: garbled text is half capitals
_LATIN_COMMON = "äöüßéèêàâçôûîïëñáíóú"  # counted for every encoding: GB18030 carries them too
_PUNCT_COMMON = "“”‘’„«»–—…·•©®°€№"  # typographic marks any of the encodings may carry


@lru_cache(maxsize=1)
def _zh_common() -> frozenset:
    """Common Simplified characters plus their Traditional forms (OpenCC's table)."""
    chars = set(_COMMON_ZH)
    table = resources.files("opencc").joinpath("dictionary/STCharacters.txt")
    for line in table.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0] in chars:
            chars.update(p for p in parts[1:] if len(p) == 1)
    return frozenset(chars)


def _plausibility(text: str, codec: str) -> float:
    """Share of non-ASCII characters that are everyday letters or marks of the codec's script."""
    non_ascii = [c for c in text if c > "\x7f"]
    if not non_ascii:
        return 1.0
    if codec in ("gb18030", "big5"):
        script = _zh_common()
    elif codec in ("cp1251", "koi8_r"):
        script = _RU_COMMON
    else:
        script = ""
    return sum(c in script or c in _PUNCT_COMMON or c in _LATIN_COMMON for c in non_ascii) / len(non_ascii)
