// Share 2 of the plan-verdict guard (test/plans/planVerdictCases.ts says why the plans are shared out).
import { describePlanVerdicts } from './planVerdictCases.js';

describePlanVerdicts(2);
