"""Messages between the tournament's parent process and its workers, without pickle.

A worker that runs student code is not trusted, and unpickling what it sends could run any code in the
parent. Every message is therefore JSON (a header) plus numpy arrays saved with ``allow_pickle=False``;
reading either never runs code.
"""

from __future__ import annotations

import io
import json
import struct

import numpy as np

#: refuse a single message above this size (a worker cannot exhaust the parent's memory with one send)
MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class WireError(ValueError):
    """A message that does not follow the format (a worker sent something else)."""


def encode(header: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """One message: a JSON header and named numeric arrays."""
    arrays = arrays or {}
    head = json.dumps({**header, "_arrays": list(arrays)}, allow_nan=True).encode()
    parts = [struct.pack("<Q", len(head)), head]
    for name in arrays:
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
        data = buffer.getvalue()
        parts += [struct.pack("<Q", len(data)), data]
    return b"".join(parts)


def decode(message: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and arrays of a message from :func:`encode`; WireError if it is anything else."""
    try:
        (size,) = struct.unpack_from("<Q", message, 0)
        header = json.loads(message[8 : 8 + size])
        if not isinstance(header, dict) or not isinstance(header.get("_arrays"), list):
            raise WireError("the header is not a JSON object naming its arrays")
        offset, arrays = 8 + size, {}
        for name in header.pop("_arrays"):
            (length,) = struct.unpack_from("<Q", message, offset)
            array = np.load(io.BytesIO(message[offset + 8 : offset + 8 + length]), allow_pickle=False)
            if array.dtype.kind not in "biuf":
                raise WireError(f"array {name!r} is not numeric")
            arrays[str(name)] = array
            offset += 8 + length
    except (struct.error, ValueError, UnicodeDecodeError, OSError) as error:
        raise WireError(f"unreadable message from a worker ({error})") from None
    return header, arrays
