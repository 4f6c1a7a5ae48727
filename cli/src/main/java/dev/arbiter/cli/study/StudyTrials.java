package dev.arbiter.cli.study;

import dev.arbiter.cli.CliCommand;
import dev.arbiter.proto.v1.ListTrialsRequest;
import dev.arbiter.proto.v1.ListTrialsResponse;
import dev.arbiter.proto.v1.Trial;
import java.util.ArrayList;
import java.util.List;

/** A study command that reads all of a study's trials. */
abstract class StudyTrials extends CliCommand {

    /** Every trial of the study, by number, page by page. */
    protected List<Trial> allTrials(String study) {
        List<Trial> out = new ArrayList<>();
        String token = "";
        do {
            String page = token;
            ListTrialsResponse r = optimizer(o -> o.listTrials(ListTrialsRequest.newBuilder().setStudyName(study)
                    .setPageSize(500).setPageToken(page).build()));
            out.addAll(r.getTrialsList());
            token = r.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }
}
