package dev.pharos.agent.ipvs.table;

import java.util.Objects;

/// One change to a virtual-server table, as IPVS's commands make them (`IPVS_CMD_NEW_SERVICE` …).
public sealed interface IpvsOp permits IpvsOp.AddService, IpvsOp.EditService, IpvsOp.DeleteService,
        IpvsOp.AddDest, IpvsOp.EditDest, IpvsOp.DeleteDest {

    /// The service this operation is about.
    ServiceKey service();

    /// `IPVS_CMD_NEW_SERVICE`
    record AddService(ServiceKey service, ServiceSettings settings) implements IpvsOp {
        public AddService {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public String toString() {
            return "add service " + service + " (" + settings.scheduler() + ")";
        }
    }

    /// `IPVS_CMD_SET_SERVICE`
    record EditService(ServiceKey service, ServiceSettings settings) implements IpvsOp {
        public EditService {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public String toString() {
            return "edit service " + service + " (" + settings.scheduler() + ")";
        }
    }

    /// `IPVS_CMD_DEL_SERVICE`
    record DeleteService(ServiceKey service) implements IpvsOp {
        public DeleteService {
            Objects.requireNonNull(service, "service");
        }

        @Override
        public String toString() {
            return "delete service " + service;
        }
    }

    /// `IPVS_CMD_NEW_DEST`
    record AddDest(ServiceKey service, Destination destination) implements IpvsOp {
        public AddDest {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public String toString() {
            return "add destination " + destination.endpoint() + " weight " + destination.weight() + " to " + service;
        }
    }

    /// `IPVS_CMD_SET_DEST`
    record EditDest(ServiceKey service, Destination destination) implements IpvsOp {
        public EditDest {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public String toString() {
            return "edit destination " + destination.endpoint() + " weight " + destination.weight() + " of " + service;
        }
    }

    /// `IPVS_CMD_DEL_DEST`
    record DeleteDest(ServiceKey service, Endpoint destination) implements IpvsOp {
        public DeleteDest {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public String toString() {
            return "delete destination " + destination + " from " + service;
        }
    }
}
