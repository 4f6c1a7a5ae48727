package dev.arbiter.optimizer.repository;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One training job (table training_job, see V2__training.sql); the messages are stored as protobuf bytes. */
@Entity
@Table(name = "training_job")
public class TrainingJobEntity extends PanacheEntityBase {

    @Id
    @Column(name = "job_id")
    public String jobId;

    @Column(name = "model_name", nullable = false)
    public String modelName;

    /** A TrainingJobState without its prefix: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED. */
    @Column(name = "state", nullable = false)
    public String state;

    @Column(name = "spec", nullable = false)
    public byte[] spec;

    @Column(name = "latest_progress")
    public byte[] latestProgress;

    @Column(name = "result")
    public byte[] result;

    @Column(name = "cancel_requested", nullable = false)
    public boolean cancelRequested;

    @Column(name = "created_ts_micros", nullable = false)
    public long createdTsMicros;

    @Column(name = "updated_ts_micros", nullable = false)
    public long updatedTsMicros;

    @Column(name = "finished_ts_micros", nullable = false)
    public long finishedTsMicros;
}
