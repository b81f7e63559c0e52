using System.Runtime.InteropServices;
using Edge.Trainer.Export.Onnx;
using Google.Protobuf;

namespace Edge.Trainer.Export;

/// <summary>
/// Builds a float ONNX graph with one input <c>input</c> [batch, in] and one output <c>output</c> [batch, out]
/// (batch is symbolic), default-domain operators at <see cref="Opset"/>.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>Operator set version the exported graphs use.</summary>
    public const long Opset = 17;

    /// <summary>IR version of the files (ONNX 1.13+, read by every current runtime).</summary>
    public const long IrVersion = 8;

    /// <summary>Name of the graph input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph output.</summary>
    public const string OutputName = "output";

    private readonly GraphProto _graph;
    private int _counter;

    public OnnxGraphBuilder(string name, int inputSize)
    {
        _graph = new GraphProto { Name = name };
        _graph.Input.Add(Value(InputName, inputSize));
        Current = InputName;
    }

    /// <summary>Name of the value the next node consumes (the last node's output).</summary>
    public string Current { get; private set; }

    /// <summary>Adds a float initializer of the given shape and returns its name.</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.Add(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 initializer of the given values (a 1-D tensor) and returns its name.</summary>
    public string Int64Constant(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.Add(values);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Appends <paramref name="opType"/> on (<see cref="Current"/>, <paramref name="inputs"/>…) and makes its
    /// output current.</summary>
    public string Apply(string opType, params string[] inputs) => ApplyTo(opType, [Current, .. inputs], []);

    /// <summary>Appends a node on exactly <paramref name="inputs"/> with <paramref name="attributes"/>; its output
    /// becomes current.</summary>
    public string ApplyTo(string opType, string[] inputs, AttributeProto[] attributes)
    {
        var output = $"{opType.ToLowerInvariant()}_{_counter++}";
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        Current = output;
        return output;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    /// <summary>Finishes the graph: the current value is renamed to the output of width <paramref
    /// name="outputSize"/>.</summary>
    public byte[] Build(int outputSize, string docString)
    {
        var identity = new NodeProto { OpType = "Identity", Name = "output_identity" };
        identity.Input.Add(Current);
        identity.Output.Add(OutputName);
        _graph.Node.Add(identity);
        _graph.Output.Add(Value(OutputName, outputSize));
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "edge-trainer",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType =
                (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
