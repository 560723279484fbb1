import Graph from "graphology";
import Sigma from "sigma";
window.LockstepVendor = { Graph, Sigma };
