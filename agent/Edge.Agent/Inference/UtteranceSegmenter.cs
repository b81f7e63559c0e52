namespace Edge.Agent.Inference;

/// <summary>
/// Cuts a live sample stream into utterances by loudness: speech starts when a 100 ms chunk is louder than
/// <c>thresholdDb</c> (dBFS), and ends after <c>hangoverMs</c> of quieter chunks or at <c>maxMs</c>. One quiet chunk
/// before the start is kept, so onsets are not clipped; the audio front end trims the remaining silence itself.
/// </summary>
internal sealed class UtteranceSegmenter
{
    private readonly int _chunk;
    private readonly double _threshold;
    private readonly int _hangoverChunks;
    private readonly int _maxSamples;
    private readonly float[] _current;
    private readonly List<float> _utterance = [];
    private readonly float[] _preRoll;
    private int _filled;
    private bool _hasPreRoll;
    private bool _speaking;
    private int _quietChunks;
    private long _position;
    private long _utteranceStart;

    public UtteranceSegmenter(int sampleRate, double thresholdDb = -40, int hangoverMs = 300, int maxMs = 3000)
    {
        _chunk = sampleRate / 10;
        _threshold = Math.Pow(10, thresholdDb / 20);
        _hangoverChunks = Math.Max(1, hangoverMs / 100);
        _maxSamples = sampleRate * maxMs / 1000;
        _current = new float[_chunk];
        _preRoll = new float[_chunk];
        SampleRate = sampleRate;
    }

    public int SampleRate { get; }

    /// <summary>Pushes samples; <paramref name="onUtterance"/> receives each finished utterance and its start time in
    /// seconds.</summary>
    public void Push(ReadOnlySpan<float> samples, Action<float[], double> onUtterance)
    {
        foreach (var sample in samples)
        {
            _current[_filled++] = sample;
            if (_filled == _chunk)
            {
                Chunk(onUtterance);
                _filled = 0;
            }
        }
    }

    /// <summary>Ends the stream: an utterance in progress is delivered.</summary>
    public void Flush(Action<float[], double> onUtterance)
    {
        if (_speaking)
        {
            _utterance.AddRange(_current.AsSpan(0, _filled));
            Deliver(onUtterance);
        }
    }

    private void Chunk(Action<float[], double> onUtterance)
    {
        var energy = 0.0;
        foreach (var sample in _current)
        {
            energy += sample * sample;
        }

        var loud = Math.Sqrt(energy / _chunk) >= _threshold;
        if (!_speaking && loud)
        {
            _speaking = true;
            _quietChunks = 0;
            _utteranceStart = _position - (_hasPreRoll ? _chunk : 0);
            if (_hasPreRoll)
            {
                _utterance.AddRange(_preRoll);
            }
        }

        if (_speaking)
        {
            _utterance.AddRange(_current);
            _quietChunks = loud ? 0 : _quietChunks + 1;
            if (_quietChunks >= _hangoverChunks || _utterance.Count >= _maxSamples)
            {
                Deliver(onUtterance);
            }
        }
        else
        {
            _current.CopyTo(_preRoll, 0);
            _hasPreRoll = true;
        }

        _position += _chunk;
    }

    private void Deliver(Action<float[], double> onUtterance)
    {
        onUtterance([.. _utterance], (double)_utteranceStart / SampleRate);
        _utterance.Clear();
        _speaking = false;
        _hasPreRoll = false;
    }
}
