"""G.711 μ-law, the 8 kHz telephone encoding of Twilio Media Streams, to and from 16-bit linear PCM."""

from __future__ import annotations

import numpy as np

# ITU-T G.711 (11/88) §3: μ-law adds a bias of 0x84 (132) before finding the segment, and clips at 32635 so the
# biased value stays inside the top segment.
BIAS = 0x84
CLIP = 32635
# The same in the 14-bit domain the encoder works in (CLIP >> 2, BIAS >> 2).
CLIP14 = 8159
BIAS14 = 0x21
# Twilio sends and accepts audio/x-mulaw at 8000 Hz, mono (Media Streams "start" message, mediaFormat).
RATE = 8000
# Twilio's media messages carry 20 ms each: 160 samples, one byte a sample.
FRAME_BYTES = 160


def _decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype("<i2")


_DECODE = _decode_table()


def decode(ulaw: bytes) -> bytes:
    """μ-law bytes to 16-bit little-endian PCM (twice as many bytes)."""
    return _DECODE[np.frombuffer(ulaw, dtype=np.uint8)].tobytes()


def encode(pcm: bytes) -> bytes:
    """16-bit little-endian PCM to μ-law bytes (an odd trailing byte is dropped).

    As the reference implementation does (Sun's g711.c, which Python's audioop followed): the sample is taken
    to 14 bits first, biased by 0x21 and clipped at 8159, so the result is bit-exact with other encoders.
    """
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.int32) >> 2
    mask = np.where(samples < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(samples), CLIP14) + BIAS14
    # The segment: where the biased magnitude's highest set bit lies above bit 5 (0..7).
    segment = np.maximum(np.floor(np.log2(magnitude)).astype(np.int32) - 5, 0)
    value = np.where(segment > 7, 0x7F, (segment << 4) | ((magnitude >> (np.minimum(segment, 7) + 1)) & 0x0F))
    return ((value ^ mask) & 0xFF).astype(np.uint8).tobytes()


def silence(seconds: float) -> bytes:
    """μ-law silence (0xFF is the code of zero)."""
    return b"\xff" * int(RATE * seconds)
