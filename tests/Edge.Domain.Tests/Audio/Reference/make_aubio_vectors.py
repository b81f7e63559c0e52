#!/usr/bin/python3
"""Reference log-mel and MFCC vectors for Edge's audio front end, computed once with aubio.

Not run in CI: its output, aubio-mfcc-vectors.json beside this script, is committed and read by
ReferenceMfccTests. Regenerate on Debian 12 with the distribution's packages:

    apt-get install python3-aubio python3-numpy
    /usr/bin/python3 tests/Edge.Domain.Tests/Audio/Reference/make_aubio_vectors.py

aubio computes the spectrum (aubio.pvoc: periodic Hann window "hanningz", magnitude of the FFT), the mel filters
(aubio.filterbank.set_mel_coeffs_htk: HTK mel scale, triangles of peak 1 with set_norm(0) set first, applied to the power
spectrum with set_power(2)) and the DCT (aubio.dct: orthonormal DCT-II). The natural log is numpy's. Edge's front
end is configured to the same definition in the test: no pre-emphasis, 256-sample frames and FFT, hop 128.
"""
import json
import math

import aubio
import numpy as np

SAMPLE_RATE = 8000
FRAME = 256
HOP = 128
BANDS = 26
COEFFICIENTS = 13
LOW_HZ = 60.0
HIGH_HZ = 3800.0
LOG_FLOOR = 1e-10


def test_signal():
    """0.3 s: two harmonic tones, a chirp and seeded noise, quantised to 16-bit PCM."""
    t = np.arange(2400) / SAMPLE_RATE
    tones = 0.3 * np.sin(2 * math.pi * 220 * t) + 0.15 * np.sin(2 * math.pi * 660 * t + 0.5)
    chirp = 0.2 * np.sin(2 * math.pi * (300 * t + 4000 * t * t))
    noise = 0.02 * np.random.default_rng(16).standard_normal(t.size)
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    return np.round((tones + chirp + noise) * envelope * 32767).astype(np.int16)


def main():
    pcm = test_signal()
    samples = (pcm / 32768.0).astype(aubio.float_type)
    pvoc = aubio.pvoc(FRAME, HOP)
    bank = aubio.filterbank(BANDS, FRAME)
    bank.set_norm(0)  # before the coefficients: aubio applies the norm when it computes them
    bank.set_mel_coeffs_htk(SAMPLE_RATE, LOW_HZ, HIGH_HZ)
    bank.set_power(2)
    dct = aubio.dct(BANDS)
    log_mel, mfcc = [], []
    for k in range(len(samples) // HOP):
        spectrum = pvoc(samples[k * HOP:(k + 1) * HOP])
        if k == 0:
            continue  # aubio's first frame still holds the zeros before the signal; Edge's frame 0 is aubio's frame 1.
        energies = np.log(np.maximum(bank(spectrum), LOG_FLOOR)).astype(aubio.float_type)
        log_mel.append([float(v) for v in energies])
        mfcc.append([float(v) for v in dct(energies)[:COEFFICIENTS]])
    vectors = {
        "provenance": {
            "library": "aubio",
            "version": aubio.version,
            "numpy": np.__version__,
            "script": "tests/Edge.Domain.Tests/Audio/Reference/make_aubio_vectors.py",
            "calls": "pvoc(256, 128) hanningz; filterbank(26, 256).set_norm(0), set_mel_coeffs_htk(8000, 60, 3800), "
                     "set_power(2); numpy.log(max(e, 1e-10)); dct(26) first 13",
        },
        "sampleRate": SAMPLE_RATE,
        "frameLength": FRAME,
        "hopLength": HOP,
        "melBands": BANDS,
        "coefficients": COEFFICIENTS,
        "melLowHz": LOW_HZ,
        "melHighHz": HIGH_HZ,
        "pcm16": [int(v) for v in pcm],
        "filters": [[round(float(w), 7) for w in row] for row in bank.get_coeffs()],
        "logMel": [[round(v, 6) for v in row] for row in log_mel],
        "mfcc": [[round(v, 6) for v in row] for row in mfcc],
    }
    path = __file__.rsplit("/", 1)[0] + "/aubio-mfcc-vectors.json"
    with open(path, "w", encoding="utf-8") as out:
        json.dump(vectors, out, separators=(",", ":"))
        out.write("\n")
    print(f"{path}: {len(mfcc)} frames")


if __name__ == "__main__":
    main()
