using System.Diagnostics.Metrics;
using Clickstream.Kafka.Producing;
using Clickstream.Kafka.Telemetry;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clickstream.Kafka.Configuration;

internal sealed class KafkaRiderFactory(Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure) : IRegistrationRiderFactory<IKafkaRider>
{
    public IBusInstanceSpecification CreateRider(IRiderRegistrationContext context)
    {
        var configurator = new KafkaFactoryConfigurator();
        configure(context, configurator);
        return new Specification(configurator, context);
    }

    private sealed class Specification(KafkaFactoryConfigurator configurator, IRiderRegistrationContext context) : IBusInstanceSpecification
    {
        public void Configure(IBusInstance busInstance)
        {
            var rider = new KafkaRider(configurator.HostConfig!, configurator.Endpoints, context.GetServices<IProducerRegistration>(), busInstance,
                context.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                context.GetService<TimeProvider>() ?? TimeProvider.System,
                new KafkaMetrics(context.GetService<IMeterFactory>()));
            busInstance.Connect<IKafkaRider>(rider);
        }

        public IEnumerable<ValidationResult> Validate() =>
            configurator.Validate().Select(problem => this.Failure("Kafka", problem));
    }
}
