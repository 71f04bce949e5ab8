using System;
using System.Collections.Generic;
using Google.Protobuf;
using Volt.Logging.TensorBoard.Protos;
using ProtoValue = Google.Protobuf.WellKnownTypes.Value;

namespace Volt.Logging.TensorBoard;

/// <summary>
/// The hparams plugin's three summaries (tensorboard/plugins/hparams/summary_v2.py, torch's
/// <c>summary.hparams</c>): one <see cref="Summary.Types.Value"/> each, holding only a tag and plugin
/// metadata whose content is a serialized <see cref="HParamsPluginData"/> (plugin data version 0).
/// </summary>
internal static class HParamsSummaries
{
    public const string PluginName = "hparams";
    public const string ExperimentTag = "_hparams_/experiment";
    public const string SessionStartTag = "_hparams_/session_start_info";
    public const string SessionEndTag = "_hparams_/session_end_info";

    /// <summary>The session start: every hyperparameter's value (nulls are left out, as torch does).</summary>
    public static Summary SessionStart(IReadOnlyDictionary<string, object?> hyperparameters, double startTime)
    {
        var start = new SessionStartInfo { StartTimeSecs = startTime };
        foreach (var (name, value) in hyperparameters)
        {
            if (ToProtoValue(name, value) is { } converted)
            {
                start.Hparams[name] = converted;
            }
        }

        return Wrap(SessionStartTag, new HParamsPluginData { SessionStartInfo = start });
    }

    /// <summary>The experiment: each hyperparameter's name and type and each metric tag, so the HPARAMS tab has its columns.</summary>
    public static Summary Experiment(IReadOnlyDictionary<string, object?> hyperparameters, IEnumerable<string> metricTags, double createdTime)
    {
        var experiment = new Experiment { TimeCreatedSecs = createdTime };
        foreach (var (name, value) in hyperparameters)
        {
            if (value is not null)
            {
                experiment.HparamInfos.Add(new HParamInfo { Name = name, Type = DataTypeOf(name, value) });
            }
        }

        foreach (var tag in metricTags)
        {
            experiment.MetricInfos.Add(new MetricInfo { Name = new MetricName { Tag = tag } });
        }

        return Wrap(ExperimentTag, new HParamsPluginData { Experiment = experiment });
    }

    /// <summary>The session end with its outcome.</summary>
    public static Summary SessionEnd(RunStatus status, double endTime)
        => Wrap(SessionEndTag, new HParamsPluginData { SessionEndInfo = new SessionEndInfo { Status = StatusOf(status), EndTimeSecs = endTime } });

    /// <summary>Success maps to STATUS_SUCCESS; failures and interruptions to STATUS_FAILURE (Lightning finalizes both as "failed").</summary>
    public static Status StatusOf(RunStatus status) => status switch
    {
        RunStatus.Success => Status.Success,
        RunStatus.Failed or RunStatus.Interrupted => Status.Failure,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    private static Summary Wrap(string tag, HParamsPluginData data)
    {
        var metadata = new SummaryMetadata
        {
            PluginData = new SummaryMetadata.Types.PluginData { PluginName = PluginName, Content = data.ToByteString() },
        };
        return new Summary { Value = { new Summary.Types.Value { Tag = tag, Metadata = metadata } } };
    }

    private static ProtoValue? ToProtoValue(string name, object? value) => value switch
    {
        null => null,
        string text => ProtoValue.ForString(text),
        bool flag => ProtoValue.ForBool(flag),
        long or int or double or float => ProtoValue.ForNumber(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw Unsupported(name, value),
    };

    private static DataType DataTypeOf(string name, object value) => value switch
    {
        string => DataType.String,
        bool => DataType.Bool,
        long or int or double or float => DataType.Float64,
        _ => throw Unsupported(name, value),
    };

    private static ArgumentException Unsupported(string name, object value)
        => new($"Hyperparameter '{name}' has a value of type {value.GetType().Name}; TensorBoard's hparams plugin takes strings, booleans and numbers (convert it to a string first).", "hyperparameters");
}
